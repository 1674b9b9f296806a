/* policy_sandbox: privileges, rlimits and the seccomp allow-list. */
#include "policy/policy_sandbox.h"

#include <errno.h>
#include <grp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define UNDER_SANITIZER 1 /* its shadow memory needs an unlimited address space */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define UNDER_SANITIZER 1
#endif
#endif

enum { NOBODY = 65534 };

/* Root becomes nobody. A root that holds no capability (a live sensor
 * drops them once its capture is open) cannot change its ids and has
 * nothing to give up: it goes on as it is, the seccomp filter its wall. */
static bool drop_root(char *error, size_t error_size)
{
    if (geteuid() != 0 && getuid() != 0)
        return true;
    if (setgroups(0, NULL) != 0 || setgid(NOBODY) != 0 || setuid(NOBODY) != 0) {
        if (errno == EPERM)
            return true;
        snprintf(error, error_size, "cannot become nobody: %s", strerror(errno));
        return false;
    }
    return true;
}

static bool set_limit(int resource, rlim_t value)
{
    struct rlimit limit = { value, value };
    return setrlimit(resource, &limit) == 0;
}

static bool set_limits(size_t memory_bytes, char *error, size_t error_size)
{
    bool ok = set_limit(RLIMIT_FSIZE, 0) && set_limit(RLIMIT_CORE, 0) && set_limit(RLIMIT_NPROC, 0);
#ifndef UNDER_SANITIZER
    if (ok && memory_bytes)
        ok = set_limit(RLIMIT_AS, (rlim_t)memory_bytes);
#else
    (void)memory_bytes;
#endif
    if (!ok)
        snprintf(error, error_size, "cannot set resource limits: %s", strerror(errno));
    return ok;
}

/* Computing, memory without PROT_EXEC, the clock, and reading and writing
 * the descriptors it was given (3: the socket; 2: where a sanitizer
 * reports). */
static bool allow_list(scmp_filter_ctx filter)
{
    static const int plain[] = {
        SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
        SCMP_SYS(futex), SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres), SCMP_SYS(gettimeofday),
        SCMP_SYS(time), SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(rt_sigreturn),
        SCMP_SYS(rt_sigprocmask), SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(sched_yield),
        SCMP_SYS(sigaltstack), /* the sanitizers set one up per thread */
    };
    bool ok = true;
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        ok &= seccomp_rule_add(filter, SCMP_ACT_ALLOW, plain[i], 0) == 0;
    ok &= seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
                           SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) == 0;
    ok &= seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
                           SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) == 0;
    ok &= seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(read), 1, SCMP_A0(SCMP_CMP_EQ, 3)) == 0;
    ok &= seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, 3)) == 0;
    ok &= seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, 2)) == 0;
    ok &= seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(sendto), 1, SCMP_A0(SCMP_CMP_EQ, 3)) == 0;
    return ok;
}

static bool install_filter(char *error, size_t error_size)
{
    scmp_filter_ctx filter = seccomp_init(SCMP_ACT_KILL_PROCESS);
    if (!filter) {
        snprintf(error, error_size, "cannot start a seccomp filter");
        return false;
    }
    bool ok = allow_list(filter);
    int status = ok ? seccomp_load(filter) : -1;
    seccomp_release(filter);
    if (status != 0)
        snprintf(error, error_size, "cannot install the seccomp filter: %s",
                 status < 0 && status != -1 ? strerror(-status) : "a rule was refused");
    return status == 0;
}

bool policy_sandbox_enter(size_t memory_bytes, char *error, size_t error_size)
{
    tzset(); /* os.date reads the time zone file now, never again: no file is open to it later */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        snprintf(error, error_size, "cannot make the process undumpable: %s", strerror(errno));
        return false;
    }
    if (!drop_root(error, error_size))
        return false;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        snprintf(error, error_size, "cannot set no_new_privs: %s", strerror(errno));
        return false;
    }
    return set_limits(memory_bytes, error, error_size) && install_filter(error, error_size);
}
