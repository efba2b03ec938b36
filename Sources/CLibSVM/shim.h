#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <libsvm/svm.h>

/// Swift 6 cannot read mutable C globals; expose libsvm's version through a getter.
static inline int improvementd_libsvm_version(void) { return libsvm_version; }

/// An anonymous in-memory file, so libsvm's path-only save/load never touch the disk.
static inline int improvementd_memfd(const char *name) { return (int)syscall(SYS_memfd_create, name, 0); }

/// libsvm's probability training draws from the C rand(); seed it for reproducible models.
static inline void improvementd_srand(unsigned int seed) { srand(seed); }

#include <malloc.h>
/// glibc keeps memory freed after training (idle RSS 250 MB vs 38 MB trimmed); give it back.
static inline int improvementd_malloc_trim(void) { return malloc_trim(0); }
