/* fuzz_dns_message: the DNS message decoder on any bytes. It must never read
 * outside the message, loop, or keep more than it has room for. */
#include <stddef.h>
#include <stdint.h>

#include "dns/dns_message.h"

static struct dns_message message;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bool question_ok;
    dns_message_decode(&message, data, size, &question_ok);
    if (message.record_count > DNS_MAX_RECORDS || message.arena_used > DNS_TEXT_ARENA_SIZE)
        __builtin_trap();
    return 0;
}
