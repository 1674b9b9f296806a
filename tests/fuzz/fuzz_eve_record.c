/* fuzz_eve_record: one EVE line through the record reader, the dns rules of
 * both versions, the splice of enrichment and the dns.log conversion. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eve/eve_lookup.h"
#include "zeek/zeek_dns_record.h"

static struct eve_record record;
static struct eve_lookup_scratch scratch;
static struct zeek_dns_record zeek;
static struct zeek_dns_scratch zeek_scratch;
static struct json_out out;
static struct eve_writer writer;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!out.file) {
        json_out_init(&out, fopen("/dev/null", "w"));
        writer.out = &out;
    }
    char *text = malloc(size ? size : 1); /* exact size: ASan sees overreads */
    memcpy(text, data, size);
    size_t at;
    if (!eve_record_parse(text, size, &record, &at)) {
        struct engine_lookup lookup;
        const char *problem;
        if (eve_lookup_from_record(&record, &scratch, &lookup, &problem) == EVE_LOOKUP_OK &&
            lookup.has_response)
            zeek_dns_record_from_eve(&zeek, &zeek_scratch, &record, &lookup);
        eve_lookup_write_enriched(&writer, text, &record, true);
    } else if (at > size) {
        __builtin_trap();
    }
    json_out_flush(&out);
    free(text);
    return 0;
}
