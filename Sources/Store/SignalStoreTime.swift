import Foundation

/// ISO time stamps in the store's format.
public enum SignalStoreTime {
    public static func iso(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}
