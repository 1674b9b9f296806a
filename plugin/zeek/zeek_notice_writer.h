/* zeek_notice_writer: writes the engine's alerts as exclave.log, one line per
 * alert in the manner of Zeek's notice.log: ts, note (Exclave::Exclusive_Name
 * and the like), msg, sub, name, policy, top_asns, top_shares, related. It
 * formats only; what alerts is decided by the policies. */
#ifndef EXCLAVE_ZEEK_NOTICE_WRITER_H
#define EXCLAVE_ZEEK_NOTICE_WRITER_H

#include "engine/engine.h"
#include "zeek/zeek_log_writer.h"

enum { ZEEK_NOTICE_TOP_ASNS = 5 };

struct zeek_notice_writer {
    struct zeek_log_writer log;
};

/* Opens DIR/exclave.log (TSV, or JSON lines when json). */
bool zeek_notice_writer_open(struct zeek_notice_writer *writer, const char *dir, bool json,
                             char *error, size_t error_size);

/* An engine_alert_fn: user is the zeek_notice_writer. */
void zeek_notice_writer_write(void *user, const struct engine *engine,
                              const struct engine_alert *alert);

/* "Exclave::Exclusive_Name" from policy "exclusive" and kind "name": the
 * policy's name with each word capitalised, then the key's kind. */
size_t zeek_notice_name(const char *policy, const char *kind, char *out, size_t size);

#endif
