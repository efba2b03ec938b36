/// The result of labeling a signal with the triple barrier (README.md, "Outcome labels").
public enum OutcomeStatus: String, Sendable, Codable {
    /// A barrier was touched or the horizon passed: `label` is 0 or 1.
    case labeled
    /// The window is not complete yet; a later cycle labels it.
    case pending
    /// The symbol stopped trading while the market went on; never trained on.
    case expired
}

/// How a labeled signal exited.
public enum ExitReason: String, Sendable, Codable {
    case target, stop, time
}

/// A signal's outcome: the label and how the trade would have exited.
public struct Outcome: Sendable, Equatable {
    public var signalId: String
    public var status: OutcomeStatus
    /// 1 success, 0 failure; nil unless `status == .labeled`.
    public var label: Int?
    public var exitDate: Day?
    public var exitPrice: Double?
    public var exitReason: ExitReason?
    /// Directional return in percent (BUY: exit/entry - 1; SELL: 1 - exit/entry) x 100.
    public var returnPct: Double?
    public var daysHeld: Int?
    public var hitTarget: Bool
    public var hitStop: Bool

    public init(
        signalId: String, status: OutcomeStatus, label: Int? = nil, exitDate: Day? = nil,
        exitPrice: Double? = nil, exitReason: ExitReason? = nil, returnPct: Double? = nil,
        daysHeld: Int? = nil, hitTarget: Bool = false, hitStop: Bool = false
    ) {
        self.signalId = signalId
        self.status = status
        self.label = label
        self.exitDate = exitDate
        self.exitPrice = exitPrice
        self.exitReason = exitReason
        self.returnPct = returnPct
        self.daysHeld = daysHeld
        self.hitTarget = hitTarget
        self.hitStop = hitStop
    }
}
