/* report_state: see report_state.h. The whole day series goes into the
 * "others" slot of report_key.days, which the page then draws as one
 * series of all queriers. */
#include "report/report_state.h"

#include <string.h>

static bool kind_of(const char *text, enum key_kind *kind)
{
    for (int k = 0; k < KEY_KINDS; k++)
        if (strcmp(text, key_kind_name((enum key_kind)k)) == 0) {
            *kind = (enum key_kind)k;
            return true;
        }
    return false;
}

static void fill_key(struct report_key *k, const struct key *key)
{
    memset(k->days, 0, sizeof k->days);
    memcpy(k->hours, key->hours, sizeof k->hours);
    k->counted = 0;
    int32_t last = key->daily_last_day, first = last - (KEY_DAILY_DAYS - 1);
    if (!last)
        return; /* no lookup counted by day yet */
    while (first < last && key_aggregate_daily(key, first) == 0)
        first++;
    k->first_day = first;
    for (int32_t day = first; day <= last; day++) {
        uint32_t count = key_aggregate_daily(key, day);
        k->days[day - first][REPORT_TOP_ASNS] = count;
        k->counted += count;
    }
}

void report_state_fill(struct report_data *data, struct engine *engine, const char *path)
{
    data->state_path = path;
    data->state_clock_us = engine->now_us;
    for (size_t i = 0; i < data->key_count; i++) {
        struct report_key *k = &data->keys[i];
        enum key_kind kind;
        const struct key *key = kind_of(k->kind, &kind) ? engine_find_key(engine, kind, k->name,
                                                                          strlen(k->name))
                                                        : NULL;
        if (key)
            fill_key(k, key);
    }
}
