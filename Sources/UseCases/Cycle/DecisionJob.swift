import Daemon

/// The run a decision row is recorded under (`decisions.job`, docs/SCHEMA.md): one of the
/// scheduler's jobs, `improvementd --once`, or the `predict` and `evaluate` commands (whose only
/// decision is a production fallback). Stored, logged and encoded as its name.
public enum DecisionJob: Hashable, Sendable, Encodable, CustomStringConvertible {
    case scheduled(JobKind)
    case once
    case predict
    case evaluate

    /// `daily`, `weekly`, `monthly`, `once`, `predict` or `evaluate`.
    public var name: String {
        switch self {
        case .scheduled(let job): job.rawValue
        case .once: "once"
        case .predict: "predict"
        case .evaluate: "evaluate"
        }
    }

    public var description: String { name }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(name)
    }
}
