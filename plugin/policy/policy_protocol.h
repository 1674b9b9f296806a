/* policy_protocol: the messages between the sensor (policy_process) and its
 * policy process (policy_child), and their fields in order. The sensor
 * sends a job and then answers the child's requests until the child says
 * DONE; the child asks and waits, so there is never more than one message
 * in flight each way. Field types: u8/u16/u32, i64, f64 (double), text (u32
 * length, bytes), raw (a C struct's bytes: both ends are one binary).
 * Declarations only. */
#ifndef EXCLAVE_POLICY_PROTOCOL_H
#define EXCLAVE_POLICY_PROTOCOL_H

enum policy_message_type {
    /* sensor to child */
    POLICY_MSG_START = 1,    /* limits (u64 memory, u64 instructions, u32 max_errors), u32 variables
                              * (text policy, text name, text value), u32 policies (text path,
                              * u8 disabled, text source) -> STARTED */
    POLICY_MSG_EVALUATE,     /* i64 databases (their generation: the child's DESCRIBE answers
                              * of another are forgotten), i64 tick_time, i64 now,
                              * u32 first policy of the first key,
                              * u32 keys (key_snapshot wire form) -> requests..., DONE */
    POLICY_MSG_LOOKUPS,      /* i64 databases, u32 first policy of the first lookup,
                              * u32 lookups (i64 now,
                              * raw engine lookup fields, text name, u32 querier_asn,
                              * u32 answers, raw addresses) -> requests..., DONE */
    POLICY_MSG_RELOAD,       /* u32 policies (u8 readable, text source) -> DONE */
    POLICY_MSG_FINISH,       /* -> requests (finalizers)..., DONE; then the child exits */
    POLICY_MSG_KEY,          /* reply to FIND_KEY: u8 found, key_snapshot */
    POLICY_MSG_ASN,          /* reply to DESCRIBE: u8 found, u32 asn, text org, text country */
    POLICY_MSG_RAISED,       /* reply to ALERT: u8 raised */

    /* child to sensor */
    POLICY_MSG_STARTED = 32, /* u8 loaded, text error, then as DONE's policies, then
                              * u32 variables (u8 used) */
    POLICY_MSG_DONE,         /* the host's counters (u64 each, in POLICY_COUNTERS order),
                              * u32 policies (u64 errors, u8 disabled, u8 has_evaluate,
                              * u8 has_on_lookup, policy_candidates, text name) */
    POLICY_MSG_FIND_KEY,     /* u8 kind, text name -> KEY */
    POLICY_MSG_DESCRIBE,     /* raw ip_address -> ASN */
    POLICY_MSG_ALERT,        /* u32 policy, raw key_ref, i64 time, u32 signature_id,
                              * u32 severity, text signature, u32 related (text each),
                              * text evidence (JSON object members) -> RAISED */
    POLICY_MSG_MESSAGE,      /* text: lines for the sensor's message stream */
};

#endif
