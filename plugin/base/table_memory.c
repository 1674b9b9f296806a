/* table_memory: a table of 2 MiB or more is mapped on its own, aligned to
 * 2 MiB and marked for transparent huge pages (the kernel's choice still:
 * with THP off it is plain memory); smaller ones, and every table in a
 * sanitizer build (whose checks see heap blocks, not mappings), come from
 * the heap. The pages are untouched until used, as with calloc. */
#include "base/table_memory.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

enum { HUGE_PAGE = 2u << 20 };

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TABLE_MEMORY_CALLOC_ONLY 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define TABLE_MEMORY_CALLOC_ONLY 1
#endif
#endif

static bool mapped(size_t bytes)
{
#ifdef TABLE_MEMORY_CALLOC_ONLY
    (void)bytes;
    return false;
#else
    return bytes >= HUGE_PAGE;
#endif
}

static size_t mapped_size(size_t bytes)
{
    return (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
}

/* A mapping of `size` bytes at a 2 MiB boundary: one larger by a page,
 * its ends cut off. */
static void *map_aligned(size_t size)
{
    uint8_t *raw = mmap(NULL, size + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                        -1, 0);
    if (raw == MAP_FAILED)
        return NULL;
    size_t lead = (HUGE_PAGE - (uintptr_t)raw % HUGE_PAGE) % HUGE_PAGE;
    if (lead)
        munmap(raw, lead);
    munmap(raw + lead + size, HUGE_PAGE - lead);
    return raw + lead;
}

/* Below a huge page: from the heap, in whole cache lines. */
static void *small_table(size_t bytes)
{
    size_t lines = bytes / 64 + 1;
    void *memory = aligned_alloc(64, lines * 64);
    if (memory)
        memset(memory, 0, lines * 64);
    return memory;
}

void *table_memory_alloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    size_t bytes = count * size;
    if (!mapped(bytes))
        return small_table(bytes);
    size_t total = mapped_size(bytes);
    if (total < bytes) /* rounding up overflowed */
        return NULL;
    void *memory = map_aligned(total);
#ifdef MADV_HUGEPAGE
    if (memory)
        madvise(memory, total, MADV_HUGEPAGE); /* a hint: refused, the pages stay small */
#endif
    return memory;
}

void table_memory_free(void *memory, size_t count, size_t size)
{
    if (!memory)
        return;
    size_t bytes = count * size;
    if (mapped(bytes))
        munmap(memory, mapped_size(bytes));
    else
        free(memory);
}
