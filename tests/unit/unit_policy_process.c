/* unit_policy_process: the walls of the policy process. The sandbox: a
 * process that entered it is killed (SIGSYS) when it opens a file, writes
 * to its standard output or starts a program, and still computes and
 * allocates. The sensor's checks of what the process sends: evidence that
 * could break or extend an eve.json line is refused; a truncated or
 * oversized message does not decode. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "policy/evidence_json.h"
#include "policy/policy_sandbox.h"
#include "policy/policy_wire.h"
#include "unit.h"

enum { DO_COMPUTE, DO_OPEN, DO_WRITE_STDOUT, DO_EXEC, DO_FORK };

/* Runs `what` in a child inside the sandbox; returns its wait status. */
static int sandboxed(int what)
{
    pid_t pid = fork();
    if (pid == 0) {
        char error[256];
        if (!policy_sandbox_enter(256u << 20, error, sizeof error))
            _exit(3);
        switch (what) {
        case DO_COMPUTE: {
            size_t total = 0;
            for (int i = 1; i < 200; i++) {
                char *block = malloc((size_t)i * 4096);
                if (!block)
                    _exit(4);
                block[0] = (char)i;
                total += (size_t)block[0];
                free(block);
            }
            _exit(total > 0 ? 0 : 5);
        }
        case DO_OPEN: open("/etc/hostname", O_RDONLY); break;
        case DO_WRITE_STDOUT: write(1, "x", 1); break;
        case DO_EXEC: execl("/bin/true", "true", (char *)NULL); break;
        case DO_FORK: fork(); break;
        }
        _exit(0); /* not reached when the sandbox holds */
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

static bool killed_by_sandbox(int status)
{
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS;
}

static void test_sandbox(void)
{
    int status = sandboxed(DO_COMPUTE);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(killed_by_sandbox(sandboxed(DO_OPEN)));
    CHECK(killed_by_sandbox(sandboxed(DO_WRITE_STDOUT)));
    CHECK(killed_by_sandbox(sandboxed(DO_EXEC)));
    CHECK(killed_by_sandbox(sandboxed(DO_FORK)));
}

static bool valid(const char *text)
{
    return evidence_json_is_valid(text, strlen(text));
}

static void test_evidence_checks(void)
{
    CHECK(valid(""));
    CHECK(valid("\"share\":0.97,\"asns\":[15632,64496],\"note\":\"a \\\"quoted\\\" \\u00e9\",\"ok\":true"));
    CHECK(valid("\"empty\":[],\"nothing\":null,\"neg\":-1.5e-3"));
    CHECK(!valid("\"a\":1},\"event_type\":\"forged\",\"b\":{\"c\":1"));   /* closes the object */
    CHECK(!valid("\"a\":\"line\nbreak\""));                                /* a raw newline */
    CHECK(!valid("\"a\":{\"nested\":1}"));
    CHECK(!valid("\"a\":[[1]]"));
    CHECK(!valid("\"a\":1,"));
    CHECK(!valid("\"a\":\"\\x41\""));
    CHECK(!valid("\"a\":01x"));
    CHECK(!valid("\"unterminated"));
    CHECK(!evidence_json_is_valid("\"a\":1\0,\"b\":2", 13));
}

static void test_wire_bounds(void)
{
    struct wire_buffer buffer = { 0 };
    wire_begin(&buffer, 7);
    wire_put_u32(&buffer, 1000); /* a text that claims 1000 bytes */
    wire_put(&buffer, "short", 5);
    struct wire_buffer fields = { .bytes = buffer.bytes + 8, .length = buffer.length - 8 };
    struct wire_reader in = wire_reader_of(&fields);
    size_t length;
    CHECK(wire_get_text(&in, 4096, &length) == NULL && in.failed);
    CHECK(wire_get_u32(&in) == 0 && in.failed); /* and everything after it fails too */
    wire_buffer_free(&buffer);

    int pair[2];
    CHECK(pipe(pair) == 0);
    uint32_t header[2] = { 9, WIRE_MESSAGE_MAX + 1 };
    CHECK(write(pair[1], header, sizeof header) == sizeof header);
    struct wire_buffer received = { 0 };
    CHECK(wire_receive(pair[0], &received) == -1); /* refused before any allocation of that size */
    close(pair[1]);
    CHECK(wire_receive(pair[0], &received) == 0);
    close(pair[0]);
    wire_buffer_free(&received);
}

int main(void)
{
    test_sandbox();
    test_evidence_checks();
    test_wire_bounds();
    return unit_finish("unit-policy-process");
}
