import Foundation

/// A point estimate with a two-sided confidence interval at `level` (0.95 by default).
///
/// The models' AUCs sit at 0.52-0.56 with standard errors of 0.01-0.03, so a figure without its
/// sampling error cannot be read: every reported metric carries one. Rendered as
/// `0.534 [0.512, 0.556]`. Stored as JSON under these property names.
///
/// Convention of the module: when a sample says nothing about a quantity (no rows, one class
/// only for an AUC), its interval is the whole range of the quantity, e.g. [0, 1].
public struct Interval: Codable, Hashable, Sendable, CustomStringConvertible {
    public var estimate: Double
    public var lower: Double
    public var upper: Double
    /// The confidence level, e.g. 0.95.
    public var level: Double

    public init(estimate: Double, lower: Double, upper: Double, level: Double = 0.95) {
        self.estimate = estimate
        self.lower = lower
        self.upper = upper
        self.level = level
    }

    /// Whether `value` lies in [lower, upper] (both ends included).
    public func contains(_ value: Double) -> Bool { lower <= value && value <= upper }

    /// upper − lower.
    public var width: Double { upper - lower }

    /// `estimate [lower, upper]` with `decimals` digits after the point (a value that rounds to
    /// zero prints as 0, never -0).
    public func formatted(decimals: Int) -> String {
        let d = max(0, decimals)
        func f(_ x: Double) -> String {
            let x = abs(x) < 0.5 * pow(10, -Double(d)) ? 0 : x
            return String(format: "%.\(d)f", x)
        }
        return "\(f(estimate)) [\(f(lower)), \(f(upper))]"
    }

    /// `0.534 [0.512, 0.556]`: three decimals.
    public var description: String { formatted(decimals: 3) }
}
