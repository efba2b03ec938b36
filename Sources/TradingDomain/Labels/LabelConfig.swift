/// The triple-barrier parameters (README.md, "Outcome labels"), one value shared by the labeler and the backfill.
///
/// Every key has its documented default and may be left out of an encoded config: decoding fills
/// missing keys with the defaults, so a config file only lists what it changes.
public struct LabelConfig: Sendable, Codable, Equatable, Hashable {
    /// Calendar days after `entry_date` that the window spans (the entry bar counts).
    public var horizonDays: Int
    /// A time exit is a success when the directional return is strictly above this fraction.
    public var successThreshold: Double
    /// Fraction applied to the entry price when a signal has no target (BUY +, SELL -).
    public var defaultTargetPct: Double
    /// Fraction applied to the entry price when a signal has no stop (BUY -, SELL +).
    public var defaultStopPct: Double
    /// A pending signal expires once the index has bars more than this many days past the window.
    public var expiryGraceDays: Int

    public init(
        horizonDays: Int = 30, successThreshold: Double = 0.02, defaultTargetPct: Double = 0.10,
        defaultStopPct: Double = 0.05, expiryGraceDays: Int = 10
    ) {
        self.horizonDays = horizonDays
        self.successThreshold = successThreshold
        self.defaultTargetPct = defaultTargetPct
        self.defaultStopPct = defaultStopPct
        self.expiryGraceDays = expiryGraceDays
    }

    /// Keys are the property names, so a decoder with `.convertFromSnakeCase` reads
    /// `horizon_days` too.
    enum CodingKeys: String, CodingKey {
        case horizonDays, successThreshold, defaultTargetPct, defaultStopPct, expiryGraceDays
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = LabelConfig()
        horizonDays = try c.decodeIfPresent(Int.self, forKey: .horizonDays) ?? d.horizonDays
        successThreshold = try c.decodeIfPresent(Double.self, forKey: .successThreshold) ?? d.successThreshold
        defaultTargetPct = try c.decodeIfPresent(Double.self, forKey: .defaultTargetPct) ?? d.defaultTargetPct
        defaultStopPct = try c.decodeIfPresent(Double.self, forKey: .defaultStopPct) ?? d.defaultStopPct
        expiryGraceDays = try c.decodeIfPresent(Int.self, forKey: .expiryGraceDays) ?? d.expiryGraceDays
    }

    /// The default target for a signal of `type` entered at `entryPrice`.
    public func defaultTarget(entryPrice: Double, type: SignalType) -> Double {
        type == .buy ? entryPrice * (1 + defaultTargetPct) : entryPrice * (1 - defaultTargetPct)
    }

    /// The default stop for a signal of `type` entered at `entryPrice`.
    public func defaultStop(entryPrice: Double, type: SignalType) -> Double {
        type == .buy ? entryPrice * (1 - defaultStopPct) : entryPrice * (1 + defaultStopPct)
    }

    /// The signal's target, or the default when it has none.
    public func target(for signal: Signal) -> Double {
        signal.targetPrice ?? defaultTarget(entryPrice: signal.entryPrice, type: signal.type)
    }

    /// The signal's stop, or the default when it has none.
    public func stop(for signal: Signal) -> Double {
        signal.stopLoss ?? defaultStop(entryPrice: signal.entryPrice, type: signal.type)
    }

    /// The signal's label window, `entry_date...entry_date + horizon`: a corrected bar dated in
    /// it (or a new bar completing it) means the signal must be labeled again.
    public func window(for signal: Signal) -> ClosedRange<Day> {
        signal.entryDate...signal.entryDate.adding(days: horizonDays)
    }
}
