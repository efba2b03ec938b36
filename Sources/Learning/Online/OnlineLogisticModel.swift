import Foundation
import ModelMetrics

/// Settings of `OnlineLogisticModel` (README.md, "Online model").
///
/// Separate from the batch `LogisticRegressionParameters` because an online model is tuned
/// differently: it sees one example at a time, for ever, so its step size must decay slowly
/// and its inputs must be bounded. Persisted inside the model so a reloaded model keeps
/// learning exactly as before.
public struct OnlineParameters: Codable, Sendable, Equatable, Hashable {
    /// Initial learning rate `eta0` (default 0.05).
    public var learningRate: Double
    /// Learning-rate decay: the step after `t` updates is `eta0 / (1 + decay * t)`
    /// (default 1e-4: the rate halves after 10,000 labeled signals, so the model keeps
    /// following a drifting market while its noise shrinks).
    public var decay: Double
    /// L2 penalty on the weights, not on the bias (default 1e-4).
    public var l2: Double
    /// Standardized feature values are clipped to `[-featureClip, featureClip]` (default 10),
    /// so one outlier cannot move the weights by more than a bounded step.
    public var featureClip: Double

    /// Creates parameters; every default is documented on its property.
    public init(learningRate: Double = 0.05, decay: Double = 1e-4, l2: Double = 1e-4, featureClip: Double = 10) {
        self.learningRate = learningRate
        self.decay = decay
        self.l2 = l2
        self.featureClip = featureClip
    }

    /// Throws `invalidParameters` unless the learning rate and clip are finite and positive
    /// and the decay and L2 penalty are finite and non-negative.
    public func validate() throws {
        guard learningRate.isFinite, learningRate > 0 else {
            throw LearningError(.invalidParameters, "online learning rate must be finite and > 0, got \(learningRate)")
        }
        guard decay.isFinite, decay >= 0 else {
            throw LearningError(.invalidParameters, "online learning-rate decay must be finite and >= 0, got \(decay)")
        }
        guard l2.isFinite, l2 >= 0 else {
            throw LearningError(.invalidParameters, "online L2 penalty must be finite and >= 0, got \(l2)")
        }
        guard featureClip.isFinite, featureClip > 0 else {
            throw LearningError(.invalidParameters, "online feature clip must be finite and > 0, got \(featureClip)")
        }
    }
}

/// A logistic regression learned by stochastic gradient descent, one labeled signal at a time
/// (README.md, "Online model": a logistic model trained by SGD with each newly labeled signal).
///
/// Why: the batch models are retrained only now and then; this model absorbs every new label
/// as it arrives and is blended with the batch model (see `BlendWeight`).
///
/// How an update works, for an example `x` with label `y`:
/// 1. Per-column running mean and variance (Welford) are updated with each *observed* value of
///    `x` (non-finite values are missing and leave the statistics unchanged; finite values
///    beyond ±1e100 are clamped there so the statistics stay finite).
/// 2. `x` is standardized with the updated statistics: a missing value is imputed with the
///    running mean (so it standardizes to 0); a column with fewer than 2 observed values or a
///    zero standard deviation (sample std, `n - 1`) contributes 0; values are clipped to
///    `±featureClip`.
/// 3. One gradient step on the log loss plus `l2/2 * |w|²` (the bias is not penalized) with
///    learning rate `eta0 / (1 + decay * t)`, `t` being the number of earlier updates.
///
/// Weights start at 0 and nothing is random: the same sequence of updates always gives the
/// same state, and the same JSON bytes from `encodedJSON()`. The model is `Codable` so the
/// daemon can persist it; decoding validates the shapes and throws `invalidArtifact`.
public struct OnlineLogisticModel: Codable, Sendable, Equatable {
    /// Version of the persisted layout.
    public static let formatVersion = 1
    /// The largest magnitude a feature value keeps in the running statistics.
    public static let valueLimit = 1e100
    /// Predictions lie in `[probabilityFloor, 1 - probabilityFloor]`.
    public static let probabilityFloor = 1e-7

    /// Number of features (the width every row must have).
    public let features: Int
    /// The learning settings.
    public let parameters: OnlineParameters
    /// Number of updates applied so far.
    public private(set) var updates: Int
    /// One weight per feature, on the standardized scale.
    public private(set) var weights: [Double]
    /// The intercept.
    public private(set) var bias: Double
    /// Per feature: how many observed (finite) values the statistics hold.
    public private(set) var counts: [Int]
    /// Per feature: running mean of the observed values.
    public private(set) var means: [Double]
    /// Per feature: running sum of squared deviations from the mean (Welford's M2).
    public private(set) var squaredDeviations: [Double]

    /// A fresh model: zero weights and bias, empty statistics. `features` must be >= 0.
    public init(features: Int, parameters: OnlineParameters = .init()) {
        precondition(features >= 0, "an online model needs a non-negative feature count")
        self.features = features
        self.parameters = parameters
        updates = 0
        weights = Array(repeating: 0, count: features)
        bias = 0
        counts = Array(repeating: 0, count: features)
        means = Array(repeating: 0, count: features)
        squaredDeviations = Array(repeating: 0, count: features)
    }

    /// The learning rate of the next update.
    public var currentLearningRate: Double {
        parameters.learningRate / (1 + parameters.decay * Double(updates))
    }

    /// Learns from one labeled example. Throws `shapeMismatch` for a row of the wrong width,
    /// `invalidLabels` for a label other than 0 or 1 and `invalidParameters` for invalid
    /// parameters; when it throws, the model is unchanged.
    public mutating func update(_ x: [Double], label: Int) throws {
        guard x.count == features else {
            throw LearningError(.shapeMismatch, "online model has \(features) features, the row has \(x.count)")
        }
        guard label == 0 || label == 1 else {
            throw LearningError(.invalidLabels, "labels must be 0 or 1, got \(label)")
        }
        try parameters.validate()

        // 1. Running statistics, from this example first.
        for c in 0..<features {
            let v = x[c]
            guard v.isFinite else { continue }
            let clamped = min(max(v, -Self.valueLimit), Self.valueLimit)
            counts[c] += 1
            let delta = clamped - means[c]
            means[c] += delta / Double(counts[c])
            squaredDeviations[c] += delta * (clamped - means[c])
        }
        // 2. Standardize with the updated statistics; 3. one gradient step.
        let z = standardized(x)
        let p = Self.sigmoid(logit(z))
        let error = p - Double(label)
        let eta = currentLearningRate
        for c in 0..<features {
            let gradient = error * z[c] + parameters.l2 * weights[c]
            weights[c] -= eta * gradient
        }
        bias -= eta * error
        updates += 1
    }

    /// The probability of success (label 1) for a row, in `[1e-7, 1 - 1e-7]`. Never updates
    /// the model. Missing or non-finite values contribute 0; a row of the wrong width is
    /// read as far as it goes, missing columns counting as missing values.
    public func predict(_ x: [Double]) -> Double {
        let p = Self.sigmoid(logit(standardized(x)))
        guard p.isFinite else { return 0.5 }
        return min(max(p, Self.probabilityFloor), 1 - Self.probabilityFloor)
    }

    /// The model as canonical JSON (sorted keys): equal states give equal bytes.
    public func encodedJSON() throws -> Data {
        try JSONEncoder.sortedKeys().encode(self)
    }

    /// Decodes a model written by `encodedJSON()` (or any `JSONEncoder`); throws
    /// `invalidArtifact` when the bytes are not a valid model.
    public init(json: Data) throws {
        do {
            self = try JSONDecoder().decode(OnlineLogisticModel.self, from: json)
        } catch let error as LearningError {
            throw error
        } catch {
            throw LearningError(.invalidArtifact, "online model JSON could not be read: \(error)")
        }
    }

    // MARK: - Codable

    private enum CodingKeys: String, CodingKey {
        case formatVersion, features, parameters, updates, weights, bias, counts, means, squaredDeviations
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let version = try c.decode(Int.self, forKey: .formatVersion)
        guard version == Self.formatVersion else {
            throw LearningError(.invalidArtifact, "online model format \(version) is not supported (expected \(Self.formatVersion))")
        }
        features = try c.decode(Int.self, forKey: .features)
        parameters = try c.decode(OnlineParameters.self, forKey: .parameters)
        updates = try c.decode(Int.self, forKey: .updates)
        weights = try c.decode([Double].self, forKey: .weights)
        bias = try c.decode(Double.self, forKey: .bias)
        counts = try c.decode([Int].self, forKey: .counts)
        means = try c.decode([Double].self, forKey: .means)
        squaredDeviations = try c.decode([Double].self, forKey: .squaredDeviations)
        guard features >= 0, updates >= 0,
              weights.count == features, counts.count == features,
              means.count == features, squaredDeviations.count == features else {
            throw LearningError(.invalidArtifact, "online model arrays do not match its \(features) features")
        }
        guard counts.allSatisfy({ $0 >= 0 && $0 <= updates }),
              squaredDeviations.allSatisfy({ $0 >= 0 }),
              (weights + means + squaredDeviations + [bias]).allSatisfy(\.isFinite) else {
            throw LearningError(.invalidArtifact, "online model holds inconsistent or non-finite values")
        }
        do { try parameters.validate() } catch let error as LearningError {
            throw LearningError(.invalidArtifact, "online model parameters are invalid: \(error.message)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.formatVersion, forKey: .formatVersion)
        try c.encode(features, forKey: .features)
        try c.encode(parameters, forKey: .parameters)
        try c.encode(updates, forKey: .updates)
        try c.encode(weights, forKey: .weights)
        try c.encode(bias, forKey: .bias)
        try c.encode(counts, forKey: .counts)
        try c.encode(means, forKey: .means)
        try c.encode(squaredDeviations, forKey: .squaredDeviations)
    }

    // MARK: - Internals

    /// The standardized, clipped row (length `features`) under the current statistics.
    func standardized(_ x: [Double]) -> [Double] {
        var z = [Double](repeating: 0, count: features)
        let clip = parameters.featureClip
        for c in 0..<features {
            guard c < x.count, x[c].isFinite, counts[c] >= 2 else { continue }
            let variance = squaredDeviations[c] / Double(counts[c] - 1)
            let std = variance.squareRoot()
            guard std.isFinite, std > 0, std > 1e-12 * abs(means[c]) else { continue }
            let v = min(max(x[c], -Self.valueLimit), Self.valueLimit)
            let s = (v - means[c]) / std
            guard s.isFinite else { continue }
            z[c] = min(max(s, -clip), clip)
        }
        return z
    }

    func logit(_ z: [Double]) -> Double {
        var s = bias
        for c in 0..<features { s += weights[c] * z[c] }
        return s
    }

    /// A logistic function that neither overflows nor loses precision in the tails.
    static func sigmoid(_ t: Double) -> Double {
        if t >= 0 { return 1 / (1 + exp(-t)) }
        let e = exp(t)
        return e / (1 + e)
    }
}
