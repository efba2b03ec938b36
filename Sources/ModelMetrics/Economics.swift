import Foundation

/// What acting on a take/skip decision would have done to a sample of labeled signals, against
/// taking every one (README.md, "For trading-system authors"): the guide's three business goals,
/// success rate, risk-adjusted return and drawdown, measured on the same signals.
///
/// - taken fraction;
/// - success rate of the taken, skipped and all signals, each with its Wilson interval;
/// - mean directional `return_pct` of the taken and of all signals;
/// - per-trade Sharpe ratio: mean / sample standard deviation (n − 1) of `return_pct`, not
///   annualised (the trades overlap in time and differ in length);
/// - profit factor: the sum of the positive `return_pct` over the absolute sum of the negative
///   ones (nil without a losing trade);
/// - maximum drawdown of the cumulative equal-weight return in entry order: the equity curve
///   c_k = r_1 + … + r_k (percentage points, one equal stake per trade, no compounding,
///   starting at 0), and its largest fall from a running peak, max over k of (max_{j≤k} c_j − c_k),
///   with c_0 = 0 counted as a peak. A positive number of percentage points; 0 when it never falls.
///
/// Signals without a `return_pct` count in the success rates and not in the return figures.
/// Stored as JSON under these property names.
public struct Economics: Codable, Sendable, Equatable {
    /// Labeled signals measured, and how many the policy took.
    public var n: Int
    public var taken: Int
    /// taken / n (0 when n is 0).
    public var takenFraction: Double
    public var successTaken: Interval
    public var successSkipped: Interval
    public var successAll: Interval
    public var taking: Returns
    public var all: Returns

    /// The return figures of one set of trades (nil where the trades cannot say).
    public struct Returns: Codable, Sendable, Equatable {
        /// Trades with a `return_pct`.
        public var count: Int
        public var meanReturnPct: Double?
        public var sharpe: Double?
        public var profitFactor: Double?
        public var maxDrawdownPct: Double?

        /// The figures of `returns` (percent, in entry order).
        public init(_ returns: [Double]) {
            count = returns.count
            meanReturnPct = returns.isEmpty ? nil : returns.reduce(0, +) / Double(returns.count)
            sharpe = Economics.sharpe(returns)
            profitFactor = Economics.profitFactor(returns)
            maxDrawdownPct = returns.isEmpty ? nil : Economics.maxDrawdown(returns)
        }
    }

    /// Measures the decisions `take` on signals with `labels` (1 success) and `returns`, the
    /// three arrays aligned and in entry-date order (the drawdown depends on the order).
    public init(labels: [Int], take: [Bool], returns: [Double?], level: Double = 0.95) {
        precondition(labels.count == take.count && take.count == returns.count, "one label, decision and return per signal")
        n = labels.count
        var takenWins = 0, skippedWins = 0, takenCount = 0
        var takenReturns: [Double] = [], allReturns: [Double] = []
        for i in labels.indices {
            let won = labels[i] == 1
            if take[i] {
                takenCount += 1
                if won { takenWins += 1 }
                if let r = returns[i] { takenReturns.append(r) }
            } else if won {
                skippedWins += 1
            }
            if let r = returns[i] { allReturns.append(r) }
        }
        taken = takenCount
        takenFraction = n == 0 ? 0 : Double(takenCount) / Double(n)
        successTaken = Wilson.interval(successes: takenWins, n: takenCount, level: level)
        successSkipped = Wilson.interval(successes: skippedWins, n: n - takenCount, level: level)
        successAll = Wilson.interval(successes: takenWins + skippedWins, n: n, level: level)
        taking = Returns(takenReturns)
        all = Returns(allReturns)
    }

    /// Mean / sample standard deviation (n − 1); nil with fewer than two trades or no spread.
    public static func sharpe(_ returns: [Double]) -> Double? {
        guard returns.count >= 2 else { return nil }
        let mean = returns.reduce(0, +) / Double(returns.count)
        let variance = returns.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(returns.count - 1)
        guard variance > 0 else { return nil }
        return mean / variance.squareRoot()
    }

    /// Sum of gains / |sum of losses|; nil without a loss (a zero return is neither).
    public static func profitFactor(_ returns: [Double]) -> Double? {
        let gains = returns.filter { $0 > 0 }.reduce(0, +)
        let losses = -returns.filter { $0 < 0 }.reduce(0, +)
        return losses > 0 ? gains / losses : nil
    }

    /// The largest fall of the cumulative sum of `returns` from its running peak (the start, 0,
    /// included): a non-negative number of percentage points.
    public static func maxDrawdown(_ returns: [Double]) -> Double {
        var equity = 0.0, peak = 0.0, worst = 0.0
        for r in returns {
            equity += r
            peak = max(peak, equity)
            worst = max(worst, peak - equity)
        }
        return worst
    }

    /// One line: `taken 37 of 120 (30.8 %): success 0.46 [0.37, 0.55] vs skipped 0.35 [...], all 0.38 [...]; mean return +0.41 % vs +0.10 %; Sharpe 0.08 vs 0.02; PF 1.21 vs 1.04; max drawdown 12.3 vs 40.1 pp`.
    public var summary: String {
        func f(_ x: Double?, _ d: Int = 2, signed: Bool = false) -> String {
            guard let x, x.isFinite else { return "n/a" }
            let s = String(format: "%.\(d)f", abs(x) < 0.5 * pow(10, -Double(d)) ? 0 : x)
            return signed && x >= 0 ? "+" + s : s
        }
        return "taken \(taken) of \(n) (\(String(format: "%.1f", takenFraction * 100)) %): success \(successTaken) vs skipped \(successSkipped), all \(successAll); "
            + "mean return \(f(taking.meanReturnPct, signed: true)) % vs \(f(all.meanReturnPct, signed: true)) %; "
            + "Sharpe \(f(taking.sharpe, 3)) vs \(f(all.sharpe, 3)); profit factor \(f(taking.profitFactor)) vs \(f(all.profitFactor)); "
            + "max drawdown \(f(taking.maxDrawdownPct, 1)) vs \(f(all.maxDrawdownPct, 1)) pp (taken vs all)"
    }
}
