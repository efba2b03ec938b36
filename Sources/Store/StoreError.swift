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
        StoreError(.open, "cannot open the store \(path): \(error)")
    }
}
