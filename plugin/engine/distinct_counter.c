/* distinct_counter: exact small sets that turn into HyperLogLog sketches.
 * An exact item keeps only the top 32 bits of its hash; the sketch uses 6
 * bits for the register and the next bits for the rank, so the same 32 bits
 * serve both modes and a set can switch without seeing its items again. */
#include "engine/distinct_counter.h"

#include <math.h>

static void sketch_add(struct distinct_counter *counter, uint32_t bits, bool *changed)
{
    unsigned index = bits >> 26;                         /* top 6 bits */
    uint32_t rest = bits << 6;                           /* 26 bits left, shifted up */
    uint8_t rank = rest ? (uint8_t)(__builtin_clz(rest) + 1) : 27;
    if (rank > counter->u.registers[index]) {
        counter->u.registers[index] = rank;
        *changed = true;
    }
}

/* Turns the exact items held so far into the sketch they would have made. */
static void switch_to_sketch(struct distinct_counter *counter)
{
    uint32_t items[DISTINCT_EXACT_MAX];
    unsigned count = counter->exact_count;
    for (unsigned i = 0; i < count; i++)
        items[i] = counter->u.exact[i];
    for (unsigned i = 0; i < DISTINCT_REGISTERS; i++)
        counter->u.registers[i] = 0;
    counter->exact_count = DISTINCT_SKETCH;
    bool ignored = false;
    for (unsigned i = 0; i < count; i++)
        sketch_add(counter, items[i], &ignored);
}

bool distinct_counter_add(struct distinct_counter *counter, uint64_t item_hash)
{
    uint32_t bits = (uint32_t)(item_hash >> 32);
    bool changed = false;
    if (counter->exact_count != DISTINCT_SKETCH) {
        for (unsigned i = 0; i < counter->exact_count; i++)
            if (counter->u.exact[i] == bits)
                return false;
        if (counter->exact_count < DISTINCT_EXACT_MAX) {
            counter->u.exact[counter->exact_count++] = bits;
            return true;
        }
        switch_to_sketch(counter);
    }
    sketch_add(counter, bits, &changed);
    return changed;
}

uint64_t distinct_counter_estimate(const struct distinct_counter *counter)
{
    if (counter->exact_count != DISTINCT_SKETCH)
        return counter->exact_count;
    const double m = DISTINCT_REGISTERS, alpha = 0.709; /* alpha for m = 64 */
    double inverse_sum = 0;
    unsigned zeros = 0;
    for (unsigned i = 0; i < DISTINCT_REGISTERS; i++) {
        inverse_sum += ldexp(1.0, -counter->u.registers[i]);
        zeros += counter->u.registers[i] == 0;
    }
    double estimate = alpha * m * m / inverse_sum;
    if (estimate <= 2.5 * m && zeros)                   /* small range: linear counting */
        estimate = m * log(m / zeros);
    uint64_t rounded = (uint64_t)(estimate + 0.5);
    return rounded > DISTINCT_EXACT_MAX ? rounded : DISTINCT_EXACT_MAX + 1;
}

void distinct_counter_merge(struct distinct_counter *into, const struct distinct_counter *from)
{
    if (from->exact_count != DISTINCT_SKETCH) {
        for (unsigned i = 0; i < from->exact_count; i++)
            distinct_counter_add(into, (uint64_t)from->u.exact[i] << 32);
        return;
    }
    if (into->exact_count != DISTINCT_SKETCH)
        switch_to_sketch(into);
    for (unsigned i = 0; i < DISTINCT_REGISTERS; i++)
        if (from->u.registers[i] > into->u.registers[i])
            into->u.registers[i] = from->u.registers[i];
}
