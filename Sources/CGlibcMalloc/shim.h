// glibc's malloc tuning calls, which the Swift Glibc module does not export (malloc.h).
#include <malloc.h>

static inline int improvementd_mallopt_arena_max(int n) { return mallopt(M_ARENA_MAX, n); }
static inline int improvementd_mallopt_mmap_threshold(int bytes) { return mallopt(M_MMAP_THRESHOLD, bytes); }
static inline int improvementd_mallopt_trim_threshold(int bytes) { return mallopt(M_TRIM_THRESHOLD, bytes); }
