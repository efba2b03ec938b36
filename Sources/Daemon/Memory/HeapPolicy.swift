#if canImport(Glibc)
import CGlibcMalloc
#endif

/// glibc malloc settings for the long-running daemon, so its idle RSS is what it holds.
///
/// Measured (bench/README.md, "The idle daemon"): with glibc's defaults an idle daemon after a
/// retrain kept 23 MB of anonymous memory of which 1.3 MB was in use. Two defaults cause it:
/// glibc raises its mmap and trim thresholds each time a large mmapped block is freed (up to
/// 32 MB), after which training's big arrays come from the heap and the freed top of a thread's
/// arena is never given back (`malloc_trim` does not shrink a thread arena's top); and every new
/// thread may get an arena of its own (up to 8 per core). Fixed thresholds (which also turn the
/// adjustment off) and two arenas brought it to 6 MB. Set once, before any worker thread starts.
public enum HeapPolicy {
    /// Blocks of at least this size are mmapped, and returned on free.
    public static let mmapThreshold: Int32 = 1 << 20
    /// A heap's free top beyond this is returned on free.
    public static let trimThreshold: Int32 = 1 << 20
    /// Malloc arenas for the process (glibc's default: 8 per core).
    public static let arenas: Int32 = 2

    /// Applies the settings; returns whether glibc accepted all three.
    @discardableResult
    public static func configureForDaemon() -> Bool {
        #if canImport(Glibc)
        return improvementd_mallopt_arena_max(arenas) == 1
            && improvementd_mallopt_mmap_threshold(mmapThreshold) == 1
            && improvementd_mallopt_trim_threshold(trimThreshold) == 1
        #else
        return false
        #endif
    }
}
