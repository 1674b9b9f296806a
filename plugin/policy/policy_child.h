/* policy_child: the policy process. Started by the sensor (policy_process)
 * as `exclave policy-host` with its socket on descriptor 3 and the shared
 * progress page on 4, it enters the sandbox, loads the policies from the
 * texts the sensor sends, runs each job and asks the sensor for what a
 * policy reaches (keys, ASNs, alerts). It opens nothing and keeps nothing
 * the sensor needs: killing it loses only the policies' own Lua variables. */
#ifndef EXCLAVE_POLICY_CHILD_H
#define EXCLAVE_POLICY_CHILD_H

enum { POLICY_CHILD_SOCKET_FD = 3, POLICY_CHILD_PROGRESS_FD = 4,
       POLICY_CHILD_EXIT_STOPPED = 71 }; /* its exit status after SIGUSR1: where it was is written */

/* The process's main: returns its exit status. */
int policy_child_main(void);

#endif
