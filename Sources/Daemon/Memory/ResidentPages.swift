#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Hands the clean, read-only pages of mapped files (library code and constants) back to the
/// kernel once a job is done, so an idle daemon's RSS is what it really holds.
///
/// After a training run the process has touched most of XGBoost, OpenBLAS, Foundation and ICU;
/// those pages stay resident (counted in RSS) though nothing uses them until the next job.
/// `MADV_DONTNEED` on a private file mapping drops the process's pages; the next access faults
/// them in again from the file (from the page cache, normally). That is only safe for pages
/// identical to the file, so a mapping qualifies only when it is file-backed, not writable, and
/// `/proc/self/smaps` shows no private dirty or anonymous page in it (relocated RELRO data is
/// dirty and is left alone).
public enum ResidentPages {
    /// One mapping of `/proc/self/smaps`.
    struct Mapping: Equatable {
        var start: UInt
        var end: UInt
        var permissions: String
        var path: String
        var privateDirtyKB = 0
        var anonymousKB = 0
        var rssKB = 0

        /// File-backed, read-only, with every resident page still identical to the file.
        var isCleanFileMapping: Bool {
            path.hasPrefix("/") && !permissions.contains("w") && privateDirtyKB == 0 && anonymousKB == 0
        }
    }

    /// Parses the text of `/proc/PID/smaps`.
    static func parse(_ text: String) -> [Mapping] {
        var out: [Mapping] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = fields.first else { continue }
            if first.hasSuffix(":") {
                guard !out.isEmpty, fields.count >= 2, let kb = Int(fields[1]) else { continue }
                switch first {
                case "Private_Dirty:": out[out.count - 1].privateDirtyKB = kb
                case "Anonymous:": out[out.count - 1].anonymousKB = kb
                case "Rss:": out[out.count - 1].rssKB = kb
                default: break
                }
                continue
            }
            let range = first.split(separator: "-")
            guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16), fields.count >= 5 else { continue }
            let path = fields.count >= 6 ? fields[5...].joined(separator: " ") : ""
            out.append(Mapping(start: start, end: end, permissions: String(fields[1]), path: path))
        }
        return out
    }

    /// Reads a `/proc` file to its end (Foundation stops after its first read: a /proc file has
    /// no size).
    static func readProcFile(_ path: String) -> String? {
        #if os(Linux)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
        #else
        return nil
        #endif
    }

    /// Drops the resident pages of every clean read-only file mapping; returns the kB released
    /// (as `smaps` counted them). Does nothing where `/proc/self/smaps` is unreadable.
    @discardableResult
    public static func releaseCleanFilePages() -> Int {
        #if os(Linux)
        guard let text = readProcFile("/proc/self/smaps") else { return 0 }
        var released = 0
        for m in parse(text) where m.isCleanFileMapping && m.rssKB > 0 {
            guard let address = UnsafeMutableRawPointer(bitPattern: m.start) else { continue }
            if madvise(address, Int(m.end - m.start), MADV_DONTNEED) == 0 { released += m.rssKB }
        }
        return released
        #else
        return 0
        #endif
    }
}
