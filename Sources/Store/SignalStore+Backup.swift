import Foundation
import GRDB

/// Consistent copies of the store while the daemon writes (README.md, "Operations").
extension SignalStore {
    /// Copies the store into a new SQLite file at `path` through SQLite's online backup API, from
    /// one read snapshot (every committed transaction up to the start, none after), so writers
    /// go on meanwhile. Written to `path.partial` and renamed, so `path` is never half a copy.
    /// Refuses an existing `path` unless `replacing`, and the store's own path always.
    public func backup(to path: String, replacing: Bool = false) throws(StoreError) {
        let fm = FileManager.default
        func resolved(_ p: String) -> String { URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path }
        guard resolved(path) != resolved(self.path) else {
            throw StoreError(.write, "\(path) is the store itself; back it up to another file")
        }
        if fm.fileExists(atPath: path) && !replacing {
            throw StoreError(.write, "\(path) already exists; refusing to overwrite it (--force replaces it)")
        }
        let partial = path + ".partial"
        for suffix in ["", "-wal", "-shm", "-journal"] { try? fm.removeItem(atPath: partial + suffix) }
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? fm.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        do {
            do {
                // A rollback-journal destination: the copy is one self-contained file.
                let destination = try DatabaseQueue(path: partial)
                try pool.backup(to: destination)
                try destination.close()
            }
            // rename(2) replaces atomically: readers see the old file or the whole new one.
            guard rename(partial, path) == 0 else {
                throw StoreError(.write, "renaming \(partial) to \(path) failed: \(String(cString: strerror(errno)))")
            }
        } catch {
            for suffix in ["", "-wal", "-shm", "-journal"] { try? fm.removeItem(atPath: partial + suffix) }
            throw StoreError(.write, "backing up the store \(self.path) to \(path) failed, nothing was written: \(error)")
        }
    }
}
