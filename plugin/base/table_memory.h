/* table_memory: zeroed memory for the large tables read at random on the
 * hot path (the key index, the caching slots, the GeoIP cache, the query
 * matcher), on 2 MiB pages where the kernel allows it: on 4 KiB pages
 * each random read of a table of megabytes also misses the TLB. It knows
 * nothing of what the tables hold. */
#ifndef EXCLAVE_TABLE_MEMORY_H
#define EXCLAVE_TABLE_MEMORY_H

#include <stddef.h>

/* count * size zeroed bytes, aligned to 64 at least; NULL when out of
 * memory (or when count * size overflows). */
void *table_memory_alloc(size_t count, size_t size);

/* Frees what table_memory_alloc gave for the same count and size (NULL: nothing). */
void table_memory_free(void *memory, size_t count, size_t size);

#endif
