/* printable: one escaping rule for every human-readable line. */
#include "base/printable.h"

#include <stdbool.h>

static bool plain(unsigned char byte)
{
    return byte >= 0x20 && byte < 0x7f;
}

char *printable_copy(char *out, size_t size, const char *text, size_t length)
{
    static const char hex[] = "0123456789abcdef";
    if (size == 0)
        return out;
    size_t used = 0;
    for (size_t i = 0; i < length; i++) {
        unsigned char byte = (unsigned char)text[i];
        size_t need = plain(byte) ? 1 : 4;
        if (used + need + 4 > size) { /* room for "..." and the NUL */
            if (used + 4 <= size) {
                out[used++] = '.'; out[used++] = '.'; out[used++] = '.';
            }
            break;
        }
        if (need == 1) {
            out[used++] = (char)byte;
        } else {
            out[used++] = '\\'; out[used++] = 'x';
            out[used++] = hex[byte >> 4]; out[used++] = hex[byte & 15];
        }
    }
    out[used] = '\0';
    return out;
}
