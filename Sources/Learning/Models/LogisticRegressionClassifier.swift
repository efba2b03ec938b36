import CLibLinear
import Foundation

/// Owns a liblinear model loaded from text (so it owns all its memory).
final class LinearModelHandle {
    let pointer: UnsafeMutablePointer<CLibLinear.model>
    let text: [UInt8]

    /// Loads a model from liblinear's text format through an in-memory file.
    init(text: [UInt8]) throws {
        CLibraries.silence()
        let (loaded, _) = try CLibraries.fileLock.withLock {
            try CLibraries.withMemoryFile(name: "liblinear-model", contents: text, memfd: improvementd_linear_memfd) { path in
                CLibLinear.load_model(path)
            }
        }
        guard let loaded else { throw LearningError(.invalidArtifact, "liblinear could not read the model text") }
        pointer = loaded
        self.text = text
    }

    /// liblinear's text format of a trained model.
    static func save(_ model: UnsafePointer<CLibLinear.model>) throws -> [UInt8] {
        let (status, text) = try CLibraries.fileLock.withLock {
            try CLibraries.withMemoryFile(name: "liblinear-model", memfd: improvementd_linear_memfd) { path in
                CLibLinear.save_model(path, model)
            }
        }
        guard status == 0, !text.isEmpty else { throw LearningError(.libraryError, "liblinear could not save the model") }
        return text
    }

    deinit {
        var p: UnsafeMutablePointer<CLibLinear.model>? = pointer
        CLibLinear.free_and_destroy_model(&p)
    }
}

/// Dense rows as liblinear/libsvm-style sparse nodes: one contiguous buffer, one pointer per row.
/// Row `r` holds `cols` nodes (index 1...cols), optionally a bias node (index cols+1, value 1),
/// and the terminator (index -1).
final class NodeBuffer<Node> {
    let nodes: UnsafeMutablePointer<Node>
    let rows: UnsafeMutablePointer<UnsafeMutablePointer<Node>?>
    let count: Int

    init(values: [Double], rowCount: Int, cols: Int, bias: Bool, make: (Int32, Double) -> Node) {
        let width = cols + (bias ? 2 : 1)
        count = rowCount
        nodes = .allocate(capacity: max(1, rowCount * width))
        rows = .allocate(capacity: max(1, rowCount))
        for r in 0..<rowCount {
            let base = nodes + r * width
            for c in 0..<cols { (base + c).initialize(to: make(Int32(c + 1), values[r * cols + c])) }
            if bias { (base + cols).initialize(to: make(Int32(cols + 1), 1)) }
            (base + width - 1).initialize(to: make(-1, 0))
            rows[r] = base
        }
    }

    /// The rows of `x` imputed and scaled by `prep`, written straight into the nodes (the values
    /// `prep.transform(x)` holds, without that intermediate copy of the matrix).
    init(matrix x: FeatureMatrix, preprocessor prep: Preprocessor, bias: Bool, make: (Int32, Double) -> Node) {
        let cols = x.cols
        let width = cols + (bias ? 2 : 1)
        count = x.rows
        let all = UnsafeMutablePointer<Node>.allocate(capacity: max(1, x.rows * width))
        let starts = UnsafeMutablePointer<UnsafeMutablePointer<Node>?>.allocate(capacity: max(1, x.rows))
        x.forEachRow { r, row in
            let base = all + r * width
            for c in 0..<cols { (base + c).initialize(to: make(Int32(c + 1), prep.value(row[c], column: c))) }
            if bias { (base + cols).initialize(to: make(Int32(cols + 1), 1)) }
            (base + width - 1).initialize(to: make(-1, 0))
            starts[r] = base
        }
        nodes = all
        rows = starts
    }

    deinit {
        nodes.deallocate()
        rows.deallocate()
    }
}

/// liblinear L2-regularised logistic regression (solver `L2R_LR`, with bias) on median-imputed,
/// standardized features; see `LogisticRegressionParameters`. Deterministic (no randomness).
public final class LogisticRegressionClassifier: Classifier, @unchecked Sendable {
    /// The hyperparameters given at creation.
    public let parameters: LogisticRegressionParameters
    private let lock = NSLock()
    private var state: (model: LinearModelHandle, header: ModelHeader)?

    /// An unfitted model.
    public init(parameters: LogisticRegressionParameters = .init()) { self.parameters = parameters }

    public var algorithm: Algorithm { .lr }
    public var hyperparameters: Hyperparameters { .lr(parameters) }
    public var notes: [String] { lock.withLock { state?.header.notes ?? [] } }
    public var isFitted: Bool { lock.withLock { state != nil } }

    public func fit(_ x: FeatureMatrix, y: [Int], seed: UInt64, shouldStop: StopCheck?) throws {
        try FitValidation.check(x, y)
        guard parameters.c > 0, parameters.tolerance > 0 else {
            throw LearningError(.invalidParameters, "logistic regression: c and tolerance must be > 0")
        }
        if shouldStop?() == true { throw LearningError.cancelled("logistic regression training") }
        CLibraries.silence()
        let prep = Preprocessor(fitting: x, standardize: true)
        // liblinear's nodes are filled from the matrix (or the view of it) directly: no
        // standardized copy of the rows is made on the way (at 800k rows it was 190 MB).
        let buffer = NodeBuffer<CLibLinear.feature_node>(matrix: x, preprocessor: prep, bias: true) {
            CLibLinear.feature_node(index: $0, value: $1)
        }
        var labels = y.map(Double.init)
        let text: [UInt8] = try labels.withUnsafeMutableBufferPointer { yPtr in
            var problem = CLibLinear.problem(l: Int32(x.rows), n: Int32(x.cols + 1), y: yPtr.baseAddress, x: buffer.rows, bias: 1)
            var param = CLibLinear.parameter(
                solver_type: Int32(L2R_LR), eps: parameters.tolerance, C: parameters.c,
                nr_weight: 0, weight_label: nil, weight: nil, p: 0.1, init_sol: nil
            )
            if let message = CLibLinear.check_parameter(&problem, &param) {
                throw LearningError(.invalidParameters, "liblinear: \(String(cString: message))")
            }
            guard let trained = CLibLinear.train(&problem, &param) else {
                throw LearningError(.libraryError, "liblinear training returned no model")
            }
            defer {
                var p: UnsafeMutablePointer<CLibLinear.model>? = trained
                CLibLinear.free_and_destroy_model(&p)
            }
            return try LinearModelHandle.save(trained)
        }
        withExtendedLifetime(buffer) {}
        let model = try LinearModelHandle(text: text)
        let header = ModelHeader(
            algorithm: .lr, hyperparameters: hyperparameters, columnNames: x.columnNames, seed: seed,
            preprocessor: prep, notes: []
        )
        lock.withLock { state = (model, header) }
    }

    public func predictProbabilities(_ x: FeatureMatrix) throws -> [Double] {
        try lock.withLock {
            guard let state else { throw LearningError(.notFitted, "logistic regression model is not fitted") }
            try FitValidation.checkColumns(x, expected: state.header.columnNames.count)
            let buffer = NodeBuffer<CLibLinear.feature_node>(matrix: x, preprocessor: state.header.preprocessor!, bias: true) {
                CLibLinear.feature_node(index: $0, value: $1)
            }
            var labels = [Int32](repeating: 0, count: 2)
            CLibLinear.get_labels(state.model.pointer, &labels)
            let positive = labels[0] == 1 ? 0 : 1
            var probabilities = [Double](repeating: 0, count: 2)
            var out = [Double]()
            out.reserveCapacity(x.rows)
            for r in 0..<x.rows {
                _ = CLibLinear.predict_probability(state.model.pointer, buffer.rows[r], &probabilities)
                out.append(probabilities[positive])
            }
            return out
        }
    }

    public func serialize() throws -> [UInt8] {
        try lock.withLock {
            guard let state else { throw LearningError(.notFitted, "logistic regression model is not fitted") }
            return try ModelArtifact.encode(state.header, native: state.model.text)
        }
    }

    /// liblinear's model text. It expects features median-imputed and standardized with the
    /// statistics stored in `serialize()`'s header, plus the bias feature.
    public func nativeExport() throws -> NativeExport {
        try lock.withLock {
            guard let state else { throw LearningError(.notFitted, "logistic regression model is not fitted") }
            return NativeExport(bytes: state.model.text, fileExtension: "model")
        }
    }

    public static func load(_ bytes: [UInt8]) throws -> LogisticRegressionClassifier {
        let (header, native) = try ModelArtifact.decode(bytes, expecting: .lr)
        guard case .lr(let p) = header.hyperparameters, header.preprocessor != nil else {
            throw LearningError(.invalidArtifact, "logistic regression artifact lacks parameters or preprocessing")
        }
        let out = LogisticRegressionClassifier(parameters: p)
        out.state = (try LinearModelHandle(text: native), header)
        return out
    }
}
