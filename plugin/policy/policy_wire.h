/* policy_wire: the messages between the sensor and its policy process. A
 * message is a 4-byte type, a 4-byte length and that many bytes of fields,
 * in the host's byte order (both ends are the same binary). Building grows
 * a buffer; reading checks every length against what is left, because the
 * sensor reads what a process running untrusted Lua wrote. It knows nothing
 * of what the messages mean. */
#ifndef EXCLAVE_POLICY_WIRE_H
#define EXCLAVE_POLICY_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { WIRE_MESSAGE_MAX = 64 << 20 }; /* bytes of fields a message may carry */

struct wire_buffer {
    uint8_t *bytes;
    size_t length, capacity;
    bool failed;               /* an append ran out of memory or past the maximum */
};

void wire_buffer_free(struct wire_buffer *buffer);
/* Starts a message of `type`: its header, the length filled in by wire_send. */
void wire_begin(struct wire_buffer *buffer, uint32_t type);
void wire_put(struct wire_buffer *buffer, const void *bytes, size_t length);
void wire_put_u8(struct wire_buffer *buffer, uint8_t value);
void wire_put_u16(struct wire_buffer *buffer, uint16_t value);
void wire_put_u32(struct wire_buffer *buffer, uint32_t value);
void wire_put_i64(struct wire_buffer *buffer, int64_t value);
void wire_put_double(struct wire_buffer *buffer, double value);
/* A 32-bit length, then the bytes. */
void wire_put_text(struct wire_buffer *buffer, const char *text, size_t length);

/* Writes the message begun last (all of it, restarting on EINTR). False
 * when the other end is gone or the message could not be built. */
bool wire_send(int fd, struct wire_buffer *buffer);

struct wire_reader {
    const uint8_t *at, *end;
    bool failed;               /* a read went past the end: every later read fails too */
};

/* Reads one message into buffer (its fields from buffer->bytes). Returns
 * its type, 0 at end of file, -1 on an error or a length over the maximum. */
int64_t wire_receive(int fd, struct wire_buffer *buffer);
struct wire_reader wire_reader_of(const struct wire_buffer *buffer);

bool wire_get(struct wire_reader *in, void *bytes, size_t length);
uint8_t wire_get_u8(struct wire_reader *in);
uint16_t wire_get_u16(struct wire_reader *in);
uint32_t wire_get_u32(struct wire_reader *in);
int64_t wire_get_i64(struct wire_reader *in);
double wire_get_double(struct wire_reader *in);
/* A text written by wire_put_text, in place (not NUL-terminated); NULL when
 * it does not fit in what is left or is longer than max. */
const char *wire_get_text(struct wire_reader *in, size_t max, size_t *length);

#endif
