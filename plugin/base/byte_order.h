/* byte_order: reading and writing big-endian (network order) integers at
 * unaligned addresses. Inline; no state; callers check the bounds. */
#ifndef EXCLAVE_BYTE_ORDER_H
#define EXCLAVE_BYTE_ORDER_H

#include <stdint.h>

static inline uint16_t read_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static inline uint32_t read_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void write_be16(uint8_t *p, uint16_t value)
{
    p[0] = (uint8_t)(value >> 8);
    p[1] = (uint8_t)value;
}

static inline void write_be32(uint8_t *p, uint32_t value)
{
    write_be16(p, (uint16_t)(value >> 16));
    write_be16(p + 2, (uint16_t)value);
}

#endif
