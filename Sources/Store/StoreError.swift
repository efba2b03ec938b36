import Foundation
import GRDB

/// An error from the store, with what was being done; SQLite's own message is kept.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable { case open, migrate, write, read, integrity, notFound }
    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// A store migrated by a newer improvementd (`unknown`: the migrations this binary lacks).
    static func newer(_ path: String, _ unknown: [String]) -> StoreError {
        StoreError(.migrate, "the store \(path) was made by a newer improvementd: it has migrations this version does not know (\(unknown.joined(separator: ", "))); upgrade improvementd or use a backup")
    }

    static func open(_ path: String, _ error: any Error) -> StoreError {
        if let cause = cause(of: error, path: path) {
            return StoreError(.open, "cannot open the store \(path): \(cause)")
        }
        return StoreError(.open, "cannot open the store \(path): \(error)")
    }

    /// What an operator can act on when SQLite refuses the store at `path` — a full disk, a
    /// read-only store, its directory gone — in plain words with SQLite's code; nil for any
    /// other error, whose own message is then kept (README.md, "Reliability").
    public static func cause(of error: any Error, path: String) -> String? {
        let directoryGone = !FileManager.default.fileExists(atPath: Self.directory(of: path))
        guard let error = error as? DatabaseError else {
            return directoryGone ? "the store's directory \(Self.directory(of: path)) is gone" : nil
        }
        let name: String
        switch error.resultCode {
        case .SQLITE_FULL: name = "SQLITE_FULL"
        case .SQLITE_READONLY: name = "SQLITE_READONLY"
        case .SQLITE_CANTOPEN: name = "SQLITE_CANTOPEN"
        case .SQLITE_IOERR: name = "SQLITE_IOERR"
        case .SQLITE_PERM: name = "SQLITE_PERM"
        case .SQLITE_AUTH: name = "SQLITE_AUTH"
        default: name = "SQLite error \(error.resultCode.rawValue)"
        }
        let code = error.extendedResultCode == error.resultCode ? name : "\(name), extended code \(error.extendedResultCode.rawValue)"
        let sqlite = code + (error.message.map { ": \($0)" } ?? "")
        switch error.resultCode {
        case .SQLITE_FULL:
            return "the disk is full (\(sqlite))"
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_IOERR, .SQLITE_PERM, .SQLITE_AUTH:
            if directoryGone {
                return "the store's directory \(Self.directory(of: path)) is gone (\(sqlite))"
            }
            if error.resultCode == .SQLITE_IOERR {
                return "an I/O error on its disk (\(sqlite))"
            }
            if error.extendedResultCode == .SQLITE_READONLY_DBMOVED {
                return "the store file was moved or deleted while open (\(sqlite))"
            }
            if error.resultCode == .SQLITE_CANTOPEN && FileManager.default.isWritableFile(atPath: path)
                && FileManager.default.isWritableFile(atPath: Self.directory(of: path)) {
                return "SQLite cannot open the file (\(sqlite))"
            }
            return "the store is read-only: the file or its directory cannot be written (\(sqlite))"
        default:
            return nil
        }
    }

    static func directory(of path: String) -> String {
        let dir = (path as NSString).deletingLastPathComponent
        return dir.isEmpty ? "." : dir
    }
}
