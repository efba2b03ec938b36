import CLibLinear
import CLibSVM
import CXGBoost
import Foundation

/// Process-wide concerns of the C libraries: silencing their printing once, serializing the
/// save/load calls that touch `setlocale`, and in-memory files for their path-only I/O.
enum CLibraries {
    /// libsvm's and liblinear's save/load call `setlocale` process-wide: one at a time.
    static let fileLock = NSLock()

    /// Installs no-op print functions in libsvm and liblinear (idempotent, thread-safe).
    static func silence() { _ = silenced }

    private static let silenced: Bool = {
        svm_set_print_string_function { _ in }
        CLibLinear.set_print_string_function { _ in }
        return true
    }()

    /// Returns memory freed by training to the operating system (glibc keeps it otherwise).
    static func releaseFreedMemory() {
        _ = improvementd_malloc_trim()
    }

    static var versions: [String: String] {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        XGBoostVersion(&major, &minor, &patch)
        let svm = Int(improvementd_libsvm_version())
        let linear = Int(improvementd_liblinear_version())
        return [
            "xgboost": "\(major).\(minor).\(patch)",
            "libsvm": "\(svm / 100).\(svm % 100)",
            "liblinear": "\(linear / 100).\(linear % 100)",
        ]
    }

    /// Runs `body` with the path of a fresh anonymous in-memory file holding `contents`,
    /// and returns what `body` returned plus the file's final contents.
    static func withMemoryFile<T>(
        name: String, contents: [UInt8] = [], memfd: (UnsafePointer<CChar>) -> Int32,
        _ body: (String) throws -> T
    ) throws -> (T, [UInt8]) {
        let fd = name.withCString { memfd($0) }
        guard fd >= 0 else { throw LearningError(.libraryError, "memfd_create failed: errno \(errno)") }
        defer { close(fd) }
        if !contents.isEmpty {
            var written = 0
            while written < contents.count {
                let n = contents.withUnsafeBytes { write(fd, $0.baseAddress! + written, contents.count - written) }
                guard n > 0 else { throw LearningError(.libraryError, "writing the in-memory file failed: errno \(errno)") }
                written += n
            }
        }
        let result = try body("/proc/self/fd/\(fd)")
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw LearningError(.libraryError, "fstat failed: errno \(errno)") }
        let size = Int(st.st_size)
        var out = [UInt8](repeating: 0, count: size)
        var read = 0
        while read < size {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + read, size - read, off_t(read)) }
            guard n > 0 else { break }
            read += n
        }
        return (result, Array(out[0..<read]))
    }
}
