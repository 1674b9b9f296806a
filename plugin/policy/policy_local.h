/* policy_local: policies in the sensor's own process, over its engine: the
 * policy_world that reads the engine directly and the engine_decider that
 * calls the host. For unit tests and fuzzing, where a hang is the test's
 * own; the sensor itself runs its policies in a policy process
 * (policy_process). It adds nothing to what the host decides. */
#ifndef EXCLAVE_POLICY_LOCAL_H
#define EXCLAVE_POLICY_LOCAL_H

#include "engine/engine.h"
#include "policy/policy_host.h"

enum { POLICY_LOCAL_VIEWS_MAX = 64 }; /* exclave.key views per call */

struct policy_local {
    struct engine *engine;
    struct policy_host *host;
    struct key_snapshot evaluated;
    struct key_snapshot views[POLICY_LOCAL_VIEWS_MAX];
    unsigned view_count;
};

/* The world to give policy_host_init. */
struct policy_world policy_local_world(struct policy_local *local, struct engine *engine);

/* Makes the host (initialised with that world) the engine's decider. */
void policy_local_attach(struct policy_local *local, struct policy_host *host);

#endif
