import Foundation

/// The market regime of a row, from the `bull_market` and `bear_market` feature columns
/// (README.md, "Features"): bull when `bull_market` is 1, bear when `bear_market` is 1, neutral
/// otherwise (both 0, missing, or the columns absent).
enum Regime: Int, Codable, Sendable, CaseIterable {
    case bull, bear, neutral

    /// The regime columns of a matrix, by name (`nil` when absent).
    static func columns(of names: [String]) -> (bull: Int?, bear: Int?) {
        (names.firstIndex(of: "bull_market"), names.firstIndex(of: "bear_market"))
    }

    /// Every row's regime, reading the given columns.
    static func of(_ x: FeatureMatrix, bull: Int?, bear: Int?) -> [Regime] {
        (0..<x.rows).map { r in
            if let bull, bull < x.cols, x[r, bull] > 0.5 { return .bull }
            if let bear, bear < x.cols, x[r, bear] > 0.5 { return .bear }
            return .neutral
        }
    }

    var name: String { "\(self)" }
}
