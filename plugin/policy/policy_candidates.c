/* policy_candidates: C's test of whether a key is worth a policy's call.
 * It must stay a filter: never a reason to alert, never Lua. */
#include "policy/policy_candidates.h"

#include <math.h>
#include <string.h>

#include "policy/policy_wire.h"

void policy_candidates_all(struct policy_candidates *candidates)
{
    memset(candidates, 0, sizeof *candidates);
    candidates->kinds = (1u << KEY_KINDS) - 1;
}

static bool is_ignored(const struct policy_candidates *c, uint32_t asn)
{
    for (unsigned i = 0; i < c->ignored_count; i++)
        if (c->ignored_asns[i] == asn)
            return true;
    return false;
}

/* An upper bound of the corrected lookups of the key's top_asns largest
 * ASNs that are not ignored: tally counts never fall short of the truth. */
static uint64_t top_corrected(const struct policy_candidates *c, const struct asn_tally *tally)
{
    uint32_t largest[ASN_TALLY_SLOTS] = { 0 };
    for (unsigned i = 0; i < tally->used; i++) { /* insertion into a short sorted list */
        uint32_t value = is_ignored(c, tally->slot[i].asn) ? 0 : tally->slot[i].corrected;
        unsigned at = i;
        while (at > 0 && largest[at - 1] < value) {
            largest[at] = largest[at - 1];
            at--;
        }
        largest[at] = value;
    }
    uint64_t sum = 0;
    for (unsigned i = 0; i < c->top_asns && i < tally->used; i++)
        sum += largest[i];
    return sum;
}

/* A ceiling on distinct ASNs is judged only where the count is certain: a
 * sketch (more items than the exact list holds) passes unless the ceiling is
 * below what the exact list could hold. */
static bool within_asn_ceiling(const struct key *key, uint32_t max_asns)
{
    if (distinct_counter_is_exact(&key->asns))
        return key->asns.exact_count <= max_asns;
    return max_asns >= DISTINCT_EXACT_MAX;
}

bool policy_candidates_pass(const struct policy_candidates *c, const struct key *key,
                            uint32_t alerted, int64_t now_us)
{
    if (!policy_candidates_floor_met(c, key))
        return false;
    if ((c->alerted_by && !(alerted & c->alerted_by)) || (alerted & c->not_alerted_by))
        return false;
    if (c->first_seen_within_us && now_us - key->first_seen_us > c->first_seen_within_us)
        return false;
    if (c->max_asns && !within_asn_ceiling(key, c->max_asns))
        return false;
    if (c->top_share > 0 &&
        (double)top_corrected(c, &key->asn_tally) < c->top_share * (double)key->lookups_corrected)
        return false;
    return true;
}

void policy_candidates_encode(const struct policy_candidates *c, struct wire_buffer *out)
{
    wire_put_u8(out, c->kinds);
    wire_put_double(out, c->min_lookups);
    wire_put_u32(out, c->max_asns);
    wire_put_u8(out, c->top_asns);
    wire_put_double(out, c->top_share);
    wire_put_u8(out, c->ignored_count);
    for (unsigned i = 0; i < c->ignored_count; i++)
        wire_put_u32(out, c->ignored_asns[i]);
    wire_put_i64(out, c->first_seen_within_us);
    wire_put_u32(out, c->alerted_by);
    wire_put_u32(out, c->not_alerted_by);
}

bool policy_candidates_decode(struct policy_candidates *c, struct wire_reader *in)
{
    c->kinds = wire_get_u8(in);
    c->min_lookups = wire_get_double(in);
    c->max_asns = wire_get_u32(in);
    c->top_asns = wire_get_u8(in);
    c->top_share = wire_get_double(in);
    c->ignored_count = wire_get_u8(in);
    if (c->ignored_count > POLICY_CANDIDATE_IGNORED_MAX)
        return false;
    for (unsigned i = 0; i < c->ignored_count; i++)
        c->ignored_asns[i] = wire_get_u32(in);
    c->first_seen_within_us = wire_get_i64(in);
    c->alerted_by = wire_get_u32(in);
    c->not_alerted_by = wire_get_u32(in);
    return !in->failed && c->kinds < (1u << KEY_KINDS) && !isnan(c->min_lookups) &&
           !isnan(c->top_share) && c->top_asns <= ASN_TALLY_SLOTS && c->first_seen_within_us >= 0;
}
