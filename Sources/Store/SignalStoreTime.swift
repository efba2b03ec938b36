import Foundation

/// ISO time stamps in the store's format.
public enum SignalStoreTime {
    public static func iso(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    /// The instant of a stored time stamp (with or without fractional seconds); nil otherwise.
    public static func date(_ stamp: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: stamp) { return d }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: stamp)
    }
}
