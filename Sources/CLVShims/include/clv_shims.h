// Small C helpers for CLVKit's data stage: things Swift cannot express directly.
#ifndef CLV_SHIMS_H
#define CLV_SHIMS_H

#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Hints the CPU to start loading the cache line holding `p` (into all cache levels) without
/// waiting for it. Unlike an ordinary load, a prefetch never stalls the pipeline: it retires at
/// once, so a loop can have dozens of cache misses in flight (the customer-table lookups of a
/// batch of transaction rows). A hint only: it never faults, whatever `p` points to.
static inline void clv_prefetch(const void *p) {
    __builtin_prefetch(p);
}

/// Bit i (0 ≤ i < 16) set when byte i at `p` is `delimiter`, LF, CR or a double quote: the
/// bytes at which a CSV scanner must stop. Reads exactly 16 bytes. One SSE2 comparison per
/// kind on x86-64 (where SSE2 is always present); a byte loop elsewhere.
static inline uint32_t clv_csv_stops16(const uint8_t *p, uint8_t delimiter) {
#if defined(__SSE2__)
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    __m128i hits = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8((char)delimiter)), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')), _mm_cmpeq_epi8(v, _mm_set1_epi8('"'))));
    return (uint32_t)_mm_movemask_epi8(hits);
#else
    uint32_t mask = 0;
    for (int i = 0; i < 16; i++) {
        uint8_t c = p[i];
        if (c == delimiter || c == '\n' || c == '\r' || c == '"') mask |= 1u << i;
    }
    return mask;
#endif
}

/// Registers the path of a named temporary output so that SIGINT, SIGTERM, SIGHUP or SIGPIPE
/// remove it before the process dies of that signal (the handlers are installed on the first
/// call; a signal already ignored stays ignored). Returns the slot for `clv_temp_unregister`,
/// or -1 when all 16 slots are taken or the path is longer than 4095 bytes (then nothing
/// removes it on a signal; the next run's sweep of stale temporary files does).
int clv_temp_register(const char *path);

/// Forgets a slot of `clv_temp_register` (after the file was renamed or removed).
void clv_temp_unregister(int slot);

/// Opens an unnamed regular file in `directory` for writing (Linux `O_TMPFILE`): it has no name
/// until `clv_link_unnamed` gives it one, so a process killed while writing it (even by SIGKILL)
/// leaves nothing behind. -1 with errno set where the system or file system cannot (EOPNOTSUPP,
/// EISDIR, no /proc to link through).
int clv_open_unnamed(const char *directory);

/// Gives the unnamed file open as `fd` the name `path` (linkat through /proc/self/fd; fails
/// with EEXIST when `path` exists, so link to a fresh name and rename that over the target).
int clv_link_unnamed(int fd, const char *path);

#endif
