import Foundation
import ModelMetrics

/// An ensemble of base models and a combiner, as one `Classifier` (README.md, "Ensembles"):
/// soft voting, stacking, blending, regime selection or Bayesian model averaging.
///
/// `fit` is self-contained: the members are fitted on walk-forward folds of the rows (in the
/// order given, `EnsembleParameters.folds + 1` blocks; without label windows no purge is
/// possible here, unlike the `Trainer`'s folds), the combiner on their out-of-fold predictions,
/// then the members are refitted on all rows. The `Trainer` instead assembles an ensemble from
/// fits it already made. `serialize()` holds the members' artifacts and the combiner.
public final class EnsembleClassifier: Classifier, @unchecked Sendable {
    /// The hyperparameters given at creation.
    public let parameters: EnsembleParameters
    private let lock = NSLock()
    private var state: (members: [any Classifier], combiner: Combiner, header: ModelHeader)?

    /// An unfitted ensemble.
    public init(parameters: EnsembleParameters) { self.parameters = parameters }

    /// An ensemble of already fitted members and a fitted combiner (the `Trainer`'s path).
    init(parameters: EnsembleParameters, members: [any Classifier], combiner: Combiner, columnNames: [String], seed: UInt64, notes: [String]) {
        self.parameters = parameters
        let header = ModelHeader(algorithm: parameters.kind, hyperparameters: .ensemble(parameters), columnNames: columnNames,
                                 seed: seed, preprocessor: nil, notes: notes, combiner: combiner)
        state = (members, combiner, header)
    }

    public var algorithm: Algorithm { parameters.kind }
    public var hyperparameters: Hyperparameters { .ensemble(parameters) }
    public var notes: [String] { lock.withLock { state?.header.notes ?? [] } }
    public var isFitted: Bool { lock.withLock { state != nil } }

    /// The fitted combiner (for tests and reports).
    var combiner: Combiner? { lock.withLock { state?.combiner } }

    static func validate(_ p: EnsembleParameters) throws {
        guard p.kind.isEnsemble else { throw LearningError(.invalidParameters, "\(p.kind) is not an ensemble") }
        guard p.members.count >= 2 else { throw LearningError(.invalidParameters, "an ensemble needs at least 2 members, got \(p.members.count)") }
        guard p.members.allSatisfy({ !$0.algorithm.isEnsemble }) else {
            throw LearningError(.invalidParameters, "ensemble members must be base models, not ensembles")
        }
        guard p.folds >= 1, p.regimeMinRows >= 0 else { throw LearningError(.invalidParameters, "ensemble folds >= 1 and regimeMinRows >= 0 are required") }
    }

    /// The short names of the members, for notes (`gb`, `lr`, ...; `lr#2` for a repeated one).
    static func names(_ members: [Hyperparameters]) -> [String] {
        var seen = [Algorithm: Int]()
        return members.map { h in
            let a = h.algorithm
            seen[a, default: 0] += 1
            return seen[a]! == 1 ? a.rawValue : "\(a.rawValue)#\(seen[a]!)"
        }
    }

    public func fit(_ x: FeatureMatrix, y: [Int], seed: UInt64, shouldStop: StopCheck?) throws {
        try FitValidation.check(x, y)
        try Self.validate(parameters)
        let stop: StopCheck = shouldStop ?? { false }
        if stop() { throw LearningError.cancelled("\(parameters.kind.displayName) training") }
        let memberSeeds = parameters.members.map { Trainer.modelSeed(seed, $0.algorithm) }
        let columns = Regime.columns(of: x.columnNames)
        // Out-of-fold predictions on blocks 1...folds, each from members fitted on the blocks before it.
        let n = x.rows, blocks = parameters.folds + 1
        func bound(_ b: Int) -> Int { b * n / blocks }
        var oof = [[Double]](repeating: [], count: parameters.members.count)
        var oofRows = [Int](), usedFolds = 0
        for k in 1...parameters.folds {
            let train = Array(0..<bound(k)), validation = Array(bound(k)..<bound(k + 1))
            let ty = train.map { y[$0] }
            guard train.count >= LearningError.minimumTrainingRows, !validation.isEmpty, Set(ty).count == 2 else { continue }
            let tx = x.selecting(rows: train), vx = x.selecting(rows: validation)
            for (j, h) in parameters.members.enumerated() {
                let member = Classifiers.make(h)
                try member.fit(tx, y: ty, seed: memberSeeds[j], shouldStop: stop)
                oof[j] += try member.predictProbabilities(vx)
            }
            oofRows += validation
            usedFolds += 1
        }
        let names = Self.names(parameters.members)
        let regimes = Regime.of(x.selecting(rows: oofRows), bull: columns.bull, bear: columns.bear)
        let combiner = Combiner.fit(parameters.kind, predictions: oof, labels: oofRows.map { y[$0] }, regimes: regimes,
                                    columns: columns, regimeMinRows: parameters.regimeMinRows, names: names)
        var members = [any Classifier]()
        for (j, h) in parameters.members.enumerated() {
            let member = Classifiers.make(h)
            try member.fit(x, y: y, seed: memberSeeds[j], shouldStop: stop)
            members.append(member)
        }
        let notes = Self.notes(combiner: combiner, oofRows: oofRows.count, folds: usedFolds, members: members, names: names)
        let header = ModelHeader(algorithm: parameters.kind, hyperparameters: hyperparameters, columnNames: x.columnNames,
                                 seed: seed, preprocessor: nil, notes: notes, combiner: combiner)
        lock.withLock { state = (members, combiner, header) }
    }

    /// The ensemble's notes: the combiner's, where it was fitted, then each member's own.
    static func notes(combiner: Combiner, oofRows: Int, folds: Int, members: [any Classifier], names: [String]) -> [String] {
        var out = combiner.notes
        out.append("combiner fitted on \(oofRows) out-of-fold predictions of \(folds) walk-forward folds")
        for (name, member) in zip(names, members) { out += member.notes.map { "\(name): \($0)" } }
        return out
    }

    public func predictProbabilities(_ x: FeatureMatrix) throws -> [Double] {
        let (members, combiner, header) = try lock.withLock {
            guard let state else { throw LearningError(.notFitted, "\(parameters.kind.displayName) model is not fitted") }
            return state
        }
        try FitValidation.checkColumns(x, expected: header.columnNames.count)
        let predictions = try members.map { try $0.predictProbabilities(x) }
        let regimes = combiner.needsRegimes ? Regime.of(x, bull: combiner.bullColumn, bear: combiner.bearColumn) : []
        return combiner.combine(predictions, regimes: regimes)
    }

    /// The fitted members, after checking `x` has the columns they were fitted on.
    func fittedMembers(_ x: FeatureMatrix) throws -> [any Classifier] {
        let (members, _, header) = try lock.withLock {
            guard let state else { throw LearningError(.notFitted, "\(parameters.kind.displayName) model is not fitted") }
            return state
        }
        try FitValidation.checkColumns(x, expected: header.columnNames.count)
        return members
    }

    /// Combines the members' probabilities already computed for `x` (the `Trainer`'s path).
    static func combine(_ combiner: Combiner, memberPredictions: [[Double]], x: FeatureMatrix) -> [Double] {
        let regimes = combiner.needsRegimes ? Regime.of(x, bull: combiner.bullColumn, bear: combiner.bearColumn) : []
        return combiner.combine(memberPredictions, regimes: regimes)
    }

    public func serialize() throws -> [UInt8] {
        let (members, _, header) = try lock.withLock {
            guard let state else { throw LearningError(.notFitted, "\(parameters.kind.displayName) model is not fitted") }
            return state
        }
        var native = [UInt8]()
        Self.append(UInt32(members.count), to: &native)
        for member in members {
            let bytes = try member.serialize()
            Self.append(UInt32(bytes.count), to: &native)
            native += bytes
        }
        return try ModelArtifact.encode(header, native: native)
    }

    /// A JSON document: the combiner and each member's own native export (base64).
    public func nativeExport() throws -> NativeExport {
        let (members, combiner, _) = try lock.withLock {
            guard let state else { throw LearningError(.notFitted, "\(parameters.kind.displayName) model is not fitted") }
            return state
        }
        struct Member: Encodable { var algorithm: String; var fileExtension: String; var base64: String }
        struct Document: Encodable { var ensemble: String; var combiner: Combiner; var members: [Member] }
        let doc = Document(ensemble: parameters.kind.rawValue, combiner: combiner, members: try members.map { m in
            let e = try m.nativeExport()
            return Member(algorithm: m.algorithm.rawValue, fileExtension: e.fileExtension, base64: Data(e.bytes).base64EncodedString())
        })
        return NativeExport(bytes: [UInt8](try JSONEncoder.sortedKeys().encode(doc)), fileExtension: "json")
    }

    public static func load(_ bytes: [UInt8]) throws -> EnsembleClassifier {
        let (header, native) = try ModelArtifact.decode(bytes)
        guard header.algorithm.isEnsemble, case .ensemble(let p) = header.hyperparameters, p.kind == header.algorithm,
              let combiner = header.combiner else {
            throw LearningError(.invalidArtifact, "ensemble artifact lacks its parameters or combiner")
        }
        var offset = 0
        func readCount() throws -> Int {
            guard offset + 4 <= native.count else { throw LearningError(.invalidArtifact, "truncated ensemble artifact") }
            let v = Int(native[offset]) | Int(native[offset + 1]) << 8 | Int(native[offset + 2]) << 16 | Int(native[offset + 3]) << 24
            offset += 4
            return v
        }
        let count = try readCount()
        guard count == p.members.count else {
            throw LearningError(.invalidArtifact, "ensemble artifact holds \(count) members, its parameters \(p.members.count)")
        }
        var members = [any Classifier]()
        for j in 0..<count {
            let length = try readCount()
            guard offset + length <= native.count else { throw LearningError(.invalidArtifact, "truncated ensemble member \(j)") }
            let member = try Classifiers.load(Array(native[offset..<(offset + length)]))
            guard member.hyperparameters == p.members[j] else {
                throw LearningError(.invalidArtifact, "ensemble member \(j) does not match the ensemble's parameters")
            }
            members.append(member)
            offset += length
        }
        let out = EnsembleClassifier(parameters: p)
        out.state = (members, combiner, header)
        return out
    }

    private static func append(_ v: UInt32, to out: inout [UInt8]) {
        out += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)]
    }
}
