import Foundation

/// The candidates of the production aggregate, fitted together at a retrain and stored as one
/// artifact (README.md, "The production aggregate"): the base models, each with its default
/// hyperparameters, fitted on every labeled row. Stored as a soft-voting ensemble (equal
/// weights), so any reader of an ensemble artifact loads it; the live weights are earned later,
/// from the evidence, and never stored in the artifact.
public enum CandidateSet {
    /// Fits `algorithms` (base models only) on `x`, each with `Trainer.modelSeed(seed, algorithm)`
    /// on one thread, two at a time. A candidate whose fit fails is left out with a note; at
    /// least one must fit.
    public static func fit(
        _ algorithms: [Algorithm], _ x: FeatureMatrix, labels: [Int], seed: UInt64, shouldStop: StopCheck? = nil
    ) throws -> EnsembleClassifier {
        try FitValidation.check(x, labels)
        let base = algorithms.filter { !$0.isEnsemble }
        guard !base.isEmpty else { throw LearningError(.invalidParameters, "the aggregate needs at least one base model among the algorithms") }
        defer { CLibraries.releaseFreedMemory() }
        let results = ParallelWorkers.map(count: base.count, workers: min(2, base.count)) { i -> Result<any Classifier, any Error> in
            let model = Classifiers.make(base[i])
            do {
                try model.fit(x, y: labels, seed: Trainer.modelSeed(seed, base[i]), shouldStop: shouldStop)
                return .success(model)
            } catch {
                return .failure(error)
            }
        }
        if shouldStop?() == true { throw LearningError.cancelled("the aggregate's candidates") }
        var members: [any Classifier] = [], notes: [String] = []
        for (algorithm, result) in zip(base, results) {
            switch result {
            case .success(let m): members.append(m)
            case .failure(let e): notes.append("\(algorithm.rawValue) left out: its fit failed (\(e))")
            }
        }
        guard !members.isEmpty else { throw LearningError(.insufficientData, "no candidate could be fitted: \(notes.joined(separator: "; "))") }
        let parameters = EnsembleParameters(kind: .voting, members: members.map(\.hyperparameters))
        let combiner = Combiner.equalWeights(members: members.count, note: "the aggregate's candidates; live weights are earned from their evidence")
        let allNotes = EnsembleClassifier.notes(combiner: combiner, oofRows: 0, folds: 0, members: members,
                                                names: EnsembleClassifier.names(parameters.members)).filter { !$0.hasPrefix("combiner fitted") }
        return EnsembleClassifier(parameters: parameters, members: members, combiner: combiner, columnNames: x.columnNames,
                                  seed: seed, notes: allNotes + notes)
    }
}

extension EnsembleClassifier {
    /// Each member's probabilities for `x`, by the member's short name (`gb`, `lr`, ...), in
    /// member order: the candidates' live scores when this ensemble holds the aggregate's set.
    public func memberProbabilities(_ x: FeatureMatrix) throws -> [(name: String, probabilities: [Double])] {
        try zip(memberNames, try fittedMembers(x)).map { ($0, try $1.predictProbabilities(x)) }
    }

    /// The members' short names (`gb`, `lr`, ...; `lr#2` for a repeated one), in member order.
    public var memberNames: [String] { Self.names(parameters.members) }
}
