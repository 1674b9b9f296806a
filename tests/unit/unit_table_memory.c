/* Unit test of table_memory: tables below and above a huge page come back
 * zeroed and aligned to a cache line, every byte writable, and freed; a
 * count whose product overflows is refused. */
#include <stdint.h>
#include <stdlib.h>

#include "base/table_memory.h"
#include "unit.h"

static void check_table(size_t count, size_t size)
{
    uint8_t *table = table_memory_alloc(count, size);
    CHECK(table != NULL && (uintptr_t)table % 64 == 0);
    size_t bytes = count * size, nonzero = 0;
    for (size_t i = 0; table && i < bytes; i++) {
        nonzero += table[i] != 0;
        table[i] = (uint8_t)i;
    }
    CHECK(nonzero == 0);
    table_memory_free(table, count, size);
}

int main(void)
{
    check_table(1, 1);
    check_table(1000, 24);
    check_table(1 << 16, 32);    /* exactly one huge page */
    check_table(3 << 20, 1);     /* a page and a half */
    check_table(1 << 18, 32);    /* the GeoIP cache's size */
    CHECK(table_memory_alloc(SIZE_MAX / 2, 4) == NULL);
    table_memory_free(NULL, 10, 10);
    return unit_finish("unit-table-memory");
}
