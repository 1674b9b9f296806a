/* policy_wire: message framing and bounds-checked field access. */
#include "policy/policy_wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { HEADER_BYTES = 8 };

void wire_buffer_free(struct wire_buffer *buffer)
{
    free(buffer->bytes);
    memset(buffer, 0, sizeof *buffer);
}

static bool reserve(struct wire_buffer *buffer, size_t more)
{
    if (buffer->failed || more > WIRE_MESSAGE_MAX + HEADER_BYTES - buffer->length) {
        buffer->failed = true;
        return false;
    }
    if (buffer->length + more <= buffer->capacity)
        return true;
    size_t capacity = buffer->capacity ? buffer->capacity : 4096;
    while (capacity < buffer->length + more)
        capacity *= 2;
    uint8_t *grown = realloc(buffer->bytes, capacity);
    if (!grown) {
        buffer->failed = true;
        return false;
    }
    buffer->bytes = grown;
    buffer->capacity = capacity;
    return true;
}

void wire_begin(struct wire_buffer *buffer, uint32_t type)
{
    buffer->length = 0;
    buffer->failed = false;
    uint32_t header[2] = { type, 0 };
    wire_put(buffer, header, sizeof header);
}

void wire_put(struct wire_buffer *buffer, const void *bytes, size_t length)
{
    if (length && reserve(buffer, length)) {
        memcpy(buffer->bytes + buffer->length, bytes, length);
        buffer->length += length;
    }
}

void wire_put_u8(struct wire_buffer *buffer, uint8_t value) { wire_put(buffer, &value, sizeof value); }
void wire_put_u16(struct wire_buffer *buffer, uint16_t value) { wire_put(buffer, &value, sizeof value); }
void wire_put_u32(struct wire_buffer *buffer, uint32_t value) { wire_put(buffer, &value, sizeof value); }
void wire_put_i64(struct wire_buffer *buffer, int64_t value) { wire_put(buffer, &value, sizeof value); }
void wire_put_double(struct wire_buffer *buffer, double value) { wire_put(buffer, &value, sizeof value); }

void wire_put_text(struct wire_buffer *buffer, const char *text, size_t length)
{
    wire_put_u32(buffer, length > UINT32_MAX ? UINT32_MAX : (uint32_t)length);
    wire_put(buffer, text, length);
}

static bool write_all(int fd, const uint8_t *bytes, size_t length)
{
    while (length > 0) {
        ssize_t written = write(fd, bytes, length);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return false;
        bytes += written;
        length -= (size_t)written;
    }
    return true;
}

bool wire_send(int fd, struct wire_buffer *buffer)
{
    if (buffer->failed || buffer->length < HEADER_BYTES)
        return false;
    uint32_t fields = (uint32_t)(buffer->length - HEADER_BYTES);
    memcpy(buffer->bytes + 4, &fields, sizeof fields);
    return write_all(fd, buffer->bytes, buffer->length);
}

/* 1 when all read, 0 at end of file before any byte, -1 otherwise. */
static int read_all(int fd, uint8_t *bytes, size_t length)
{
    size_t done = 0;
    while (done < length) {
        ssize_t got = read(fd, bytes + done, length - done);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return got == 0 && done == 0 ? 0 : -1;
        done += (size_t)got;
    }
    return 1;
}

int64_t wire_receive(int fd, struct wire_buffer *buffer)
{
    uint32_t header[2];
    int status = read_all(fd, (uint8_t *)header, sizeof header);
    if (status <= 0)
        return status;
    buffer->length = 0;
    buffer->failed = false;
    if (header[0] == 0 || header[1] > WIRE_MESSAGE_MAX || !reserve(buffer, header[1] + 1))
        return -1;
    if (header[1] && read_all(fd, buffer->bytes, header[1]) != 1)
        return -1;
    buffer->length = header[1];
    buffer->bytes[buffer->length] = 0; /* texts stay within the message either way */
    return header[0];
}

struct wire_reader wire_reader_of(const struct wire_buffer *buffer)
{
    return (struct wire_reader){ buffer->bytes, buffer->bytes + buffer->length, false };
}

bool wire_get(struct wire_reader *in, void *bytes, size_t length)
{
    if (in->failed || (size_t)(in->end - in->at) < length) {
        in->failed = true;
        memset(bytes, 0, length);
        return false;
    }
    memcpy(bytes, in->at, length);
    in->at += length;
    return true;
}

uint8_t wire_get_u8(struct wire_reader *in) { uint8_t v; wire_get(in, &v, sizeof v); return v; }
uint16_t wire_get_u16(struct wire_reader *in) { uint16_t v; wire_get(in, &v, sizeof v); return v; }
uint32_t wire_get_u32(struct wire_reader *in) { uint32_t v; wire_get(in, &v, sizeof v); return v; }
int64_t wire_get_i64(struct wire_reader *in) { int64_t v; wire_get(in, &v, sizeof v); return v; }
double wire_get_double(struct wire_reader *in) { double v; wire_get(in, &v, sizeof v); return v; }

const char *wire_get_text(struct wire_reader *in, size_t max, size_t *length)
{
    uint32_t n = wire_get_u32(in);
    if (in->failed || n > max || (size_t)(in->end - in->at) < n) {
        in->failed = true;
        *length = 0;
        return NULL;
    }
    const char *text = (const char *)in->at;
    in->at += n;
    *length = n;
    return text;
}
