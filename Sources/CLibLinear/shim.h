#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linear.h>

/// Swift 6 cannot read mutable C globals; expose liblinear's version through a getter.
static inline int improvementd_liblinear_version(void) { return liblinear_version; }

/// An anonymous in-memory file for liblinear's path-only save/load.
static inline int improvementd_linear_memfd(const char *name) { return (int)syscall(SYS_memfd_create, name, 0); }
