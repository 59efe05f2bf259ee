// Small C helpers for CLVKit's data stage: things Swift cannot express directly.
#ifndef CLV_SHIMS_H
#define CLV_SHIMS_H

/// Hints the CPU to start loading the cache line holding `p` (into all cache levels) without
/// waiting for it. Unlike an ordinary load, a prefetch never stalls the pipeline: it retires at
/// once, so a loop can have dozens of cache misses in flight (the customer-table lookups of a
/// batch of transaction rows). A hint only: it never faults, whatever `p` points to.
static inline void clv_prefetch(const void *p) {
    __builtin_prefetch(p);
}

#endif
