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

#endif
