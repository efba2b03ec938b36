import Foundation

/// How a training run picks its candidate among the evaluated base models and ensembles
/// (README.md, "Selection rules"): AUCs here differ by less than their standard errors, so the
/// rule decides how much noise the choice follows. Pure: the same candidates give the same choice.
///
/// - `meanCV` (`mean_cv`): the highest mean walk-forward fold AUC (ties: the earlier in
///   `Algorithm.allCases`).
/// - `pooledOOF` (`pooled_oof`): the highest AUC of all folds' out-of-fold predictions pooled.
/// - `oneSE` (`one_se`): the simplest candidate (`simplicityOrder`) whose pooled out-of-fold AUC
///   is within one DeLong standard error of the best one's.
/// - `fixed(a)` (`fixed:voting`, or just `voting`): always `a`; when `a` did not train, `meanCV`.
public enum SelectionRule: Sendable, Hashable, Codable, CustomStringConvertible {
    case meanCV, pooledOOF, oneSE
    case fixed(Algorithm)

    /// Simplest first: linear, boosted and bagged trees, kernel, network, then the ensembles by
    /// how much their combiner learns (none; weights; weights from likelihoods; a choice per
    /// regime; a meta-model).
    public static let simplicityOrder: [Algorithm] = [.lr, .gb, .rf, .svm, .nn, .voting, .blending, .bma, .regime, .stacking]

    /// Parses `mean_cv`, `pooled_oof`, `one_se`, `fixed:<algorithm>` or a bare algorithm name.
    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        switch t {
        case "mean_cv": self = .meanCV
        case "pooled_oof": self = .pooledOOF
        case "one_se": self = .oneSE
        default:
            let name = t.hasPrefix("fixed:") ? String(t.dropFirst("fixed:".count)) : t
            guard let a = Algorithm(rawValue: name) else { return nil }
            self = .fixed(a)
        }
    }

    /// The configuration spelling (`mean_cv`, `fixed:voting`, ...).
    public var description: String {
        switch self {
        case .meanCV: "mean_cv"
        case .pooledOOF: "pooled_oof"
        case .oneSE: "one_se"
        case .fixed(let a): "fixed:\(a.rawValue)"
        }
    }

    /// The spellings `init?(_:)` accepts, for error messages.
    public static let spellings = "mean_cv, pooled_oof, one_se, fixed:<algorithm> (e.g. fixed:voting)"

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let rule = SelectionRule(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown selection rule \(text)"))
        }
        self = rule
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    /// One candidate's figures, as the rule sees them.
    public struct Candidate: Sendable, Equatable {
        public var algorithm: Algorithm
        /// Mean walk-forward fold AUC.
        public var meanCV: Double
        /// AUC of the pooled out-of-fold predictions, and its DeLong standard error (`nil`: unknown, taken as 0).
        public var pooledOOF: Double
        public var pooledSE: Double?
        public init(algorithm: Algorithm, meanCV: Double, pooledOOF: Double, pooledSE: Double?) {
            self.algorithm = algorithm
            self.meanCV = meanCV
            self.pooledOOF = pooledOOF
            self.pooledSE = pooledSE
        }
    }

    /// The chosen candidate and a one-line reason, e.g. for the training report.
    public struct Choice: Sendable, Equatable {
        public var algorithm: Algorithm
        public var reason: String
    }

    /// The rule applied to `candidates` (those that trained); `nil` when there are none.
    public func choose(_ candidates: [Candidate]) -> Choice? {
        guard !candidates.isEmpty else { return nil }
        func rank(_ a: Algorithm) -> Int { Algorithm.allCases.firstIndex(of: a)! }
        func f(_ v: Double) -> String { String(format: "%.4f", v) }
        func top(_ key: (Candidate) -> Double) -> Candidate {
            candidates.max { (key($0), -rank($0.algorithm)) < (key($1), -rank($1.algorithm)) }!
        }
        func runnerUp(_ best: Candidate, _ key: (Candidate) -> Double) -> String {
            let rest = candidates.filter { $0.algorithm != best.algorithm }
            guard let next = rest.max(by: { (key($0), -rank($0.algorithm)) < (key($1), -rank($1.algorithm)) }) else { return "" }
            return "; next \(next.algorithm.rawValue) \(f(key(next)))"
        }
        switch self {
        case .meanCV:
            let best = top(\.meanCV)
            return Choice(algorithm: best.algorithm,
                          reason: "mean_cv: highest mean walk-forward AUC, \(best.algorithm.rawValue) \(f(best.meanCV))" + runnerUp(best, \.meanCV))
        case .pooledOOF:
            let best = top(\.pooledOOF)
            return Choice(algorithm: best.algorithm,
                          reason: "pooled_oof: highest pooled out-of-fold AUC, \(best.algorithm.rawValue) \(f(best.pooledOOF))" + runnerUp(best, \.pooledOOF))
        case .oneSE:
            let best = top(\.pooledOOF)
            let se = best.pooledSE ?? 0
            let threshold = best.pooledOOF - se
            let order = { (a: Algorithm) in Self.simplicityOrder.firstIndex(of: a) ?? Self.simplicityOrder.count + rank(a) }
            let simplest = candidates.filter { $0.pooledOOF >= threshold }.min { order($0.algorithm) < order($1.algorithm) }!
            let head = "one_se: best pooled out-of-fold AUC \(best.algorithm.rawValue) \(f(best.pooledOOF)) (SE \(f(se)))"
            if simplest.algorithm == best.algorithm {
                return Choice(algorithm: best.algorithm, reason: head + "; no simpler candidate within one SE (≥ \(f(threshold)))")
            }
            return Choice(algorithm: simplest.algorithm,
                          reason: head + "; \(simplest.algorithm.rawValue) \(f(simplest.pooledOOF)) is the simplest within one SE (≥ \(f(threshold)))")
        case .fixed(let a):
            if let c = candidates.first(where: { $0.algorithm == a }) {
                return Choice(algorithm: a, reason: "fixed:\(a.rawValue): always \(a.displayName) (mean walk-forward AUC \(f(c.meanCV)), pooled out-of-fold \(f(c.pooledOOF)))")
            }
            let fallback = SelectionRule.meanCV.choose(candidates)!
            return Choice(algorithm: fallback.algorithm, reason: "fixed:\(a.rawValue): \(a.rawValue) did not train, so " + fallback.reason)
        }
    }
}
