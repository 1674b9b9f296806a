/* capabilities: see capabilities.h. Uses the capset system call directly
 * (no libcap), as the whole job is one call with zeroed sets. */
#include "capture/capabilities.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

bool capabilities_drop_all(char *error, size_t error_size)
{
    /* ambient capabilities (how systemd's AmbientCapabilities= hands them
     * over) would survive an exec; kernels before 4.3 lack them: EINVAL */
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
        snprintf(error, error_size, "cannot clear ambient capabilities: %s", strerror(errno));
        return false;
    }
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3];
    memset(none, 0, sizeof none);
    if (syscall(SYS_capset, &header, none) != 0) {
        snprintf(error, error_size, "cannot drop capabilities: %s", strerror(errno));
        return false;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        snprintf(error, error_size, "cannot set no_new_privs: %s", strerror(errno));
        return false;
    }
    return true;
}
