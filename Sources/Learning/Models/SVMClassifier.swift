import CLibSVM
import Foundation

/// A libsvm model trained in this process, together with the nodes it points into.
/// Freed in the right order: model first, then the training nodes.
private final class TrainedSVM {
    let model: UnsafeMutablePointer<svm_model>
    let nodes: NodeBuffer<svm_node>

    init(values: [Double], rows: [Int], cols: Int, y: [Int], parameter: svm_parameter) throws {
        var subset = [Double]()
        subset.reserveCapacity(rows.count * cols)
        for r in rows { subset.append(contentsOf: values[(r * cols)..<((r + 1) * cols)]) }
        let nodes = NodeBuffer<svm_node>(values: subset, rowCount: rows.count, cols: cols, bias: false) { svm_node(index: $0, value: $1) }
        self.nodes = nodes
        var labels = rows.map { Double(y[$0]) }
        var param = parameter
        let trained: UnsafeMutablePointer<svm_model>? = try labels.withUnsafeMutableBufferPointer { yPtr in
            var problem = svm_problem(l: Int32(rows.count), y: yPtr.baseAddress, x: nodes.rows)
            if let message = svm_check_parameter(&problem, &param) {
                throw LearningError(.invalidParameters, "libsvm: \(String(cString: message))")
            }
            return svm_train(&problem, &param)
        }
        guard let trained else { throw LearningError(.libraryError, "libsvm training returned no model") }
        model = trained
    }

    deinit {
        var p: UnsafeMutablePointer<svm_model>? = model
        svm_free_and_destroy_model(&p)
    }
}

/// Owns a libsvm model loaded from its text format (a loaded model owns its memory).
final class SVMModelHandle {
    let pointer: UnsafeMutablePointer<svm_model>
    let text: [UInt8]
    /// +1 when libsvm's decision value points to class 1, -1 when to class 0.
    let orientation: Double

    init(text: [UInt8]) throws {
        CLibraries.silence()
        let (loaded, _) = try CLibraries.fileLock.withLock {
            try CLibraries.withMemoryFile(name: "libsvm-model", contents: text, memfd: improvementd_memfd) { path in
                svm_load_model(path)
            }
        }
        guard let loaded else { throw LearningError(.invalidArtifact, "libsvm could not read the model text") }
        pointer = loaded
        self.text = text
        orientation = SVMModelHandle.orientation(of: loaded)
    }

    static func orientation(of model: UnsafePointer<svm_model>) -> Double {
        var labels = [Int32](repeating: 0, count: 2)
        svm_get_labels(model, &labels)
        return labels[0] == 1 ? 1 : -1
    }

    static func save(_ model: UnsafePointer<svm_model>) throws -> [UInt8] {
        let (status, text) = try CLibraries.fileLock.withLock {
            try CLibraries.withMemoryFile(name: "libsvm-model", memfd: improvementd_memfd) { path in
                svm_save_model(path, model)
            }
        }
        guard status == 0, !text.isEmpty else { throw LearningError(.libraryError, "libsvm could not save the model") }
        return text
    }

    deinit {
        var p: UnsafeMutablePointer<svm_model>? = pointer
        svm_free_and_destroy_model(&p)
    }
}

/// `decisionValues` of rows `0..<count` split into `threads` contiguous ranges scored at once
/// (libsvm only reads the model; each row's value is computed by one thread as on one, so the
/// bits do not depend on `threads`).
private func decisionValues(_ model: UnsafePointer<svm_model>, orientation: Double, values: [Double], count: Int, cols: Int, threads: Int) -> [Double] {
    let parts = max(1, min(threads, count / 1000))
    guard parts > 1 else { return decisionValues(model, orientation: orientation, values: values, rows: Array(0..<count), cols: cols) }
    var out = [Double](repeating: 0, count: count)
    let modelAddress = UInt(bitPattern: model)
    out.withUnsafeMutableBufferPointer { buffer in
        let base = UInt(bitPattern: buffer.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let range = (part * count / parts)..<((part + 1) * count / parts)
            let dec = decisionValues(UnsafePointer(bitPattern: modelAddress)!, orientation: orientation, values: values, rows: Array(range), cols: cols)
            let target = UnsafeMutablePointer<Double>(bitPattern: base)!
            for (i, r) in range.enumerated() { target[r] = dec[i] }
        }
    }
    return out
}

/// Decision values pointing towards class 1, for row-major standardized values.
private func decisionValues(_ model: UnsafePointer<svm_model>, orientation: Double, values: [Double], rows: [Int], cols: Int) -> [Double] {
    var row = [svm_node](repeating: svm_node(index: -1, value: 0), count: cols + 1)
    var dec = [Double](repeating: 0, count: 1)
    return rows.map { r in
        for c in 0..<cols { row[c] = svm_node(index: Int32(c + 1), value: values[r * cols + c]) }
        row[cols] = svm_node(index: -1, value: 0)
        _ = svm_predict_values(model, row, &dec)
        return orientation * dec[0]
    }
}

/// libsvm C-SVC with an RBF kernel on median-imputed, standardized features, with a Platt
/// sigmoid fitted by this model on out-of-fold decision values; see `SVMParameters` for the
/// row cap and the cost. Deterministic: libsvm's C-SVC without `probability` uses no randomness.
public final class SVMClassifier: Classifier, ParallelScoring, @unchecked Sendable {
    /// The hyperparameters given at creation.
    public let parameters: SVMParameters
    private let lock = NSLock()
    private var state: (model: SVMModelHandle, header: ModelHeader)?

    /// An unfitted model.
    public init(parameters: SVMParameters = .init()) { self.parameters = parameters }

    public var algorithm: Algorithm { .svm }
    public var hyperparameters: Hyperparameters { .svm(parameters) }
    public var notes: [String] { lock.withLock { state?.header.notes ?? [] } }
    public var isFitted: Bool { lock.withLock { state != nil } }

    public func fit(_ x: FeatureMatrix, y: [Int], seed: UInt64, shouldStop: StopCheck?) throws {
        try FitValidation.check(x, y)
        let p = parameters
        guard p.c > 0, (p.gamma ?? 1) > 0, p.maxTrainingRows >= LearningError.minimumTrainingRows, p.cacheMB > 0, p.tolerance > 0 else {
            throw LearningError(.invalidParameters, "SVM: c, gamma, cacheMB, tolerance > 0 and maxTrainingRows >= \(LearningError.minimumTrainingRows)")
        }
        CLibraries.silence()
        var notes = [String]()
        let (rows, capNote) = Self.cappedRows(y, cap: p.maxTrainingRows)
        if let capNote { notes.append(capNote) }
        let subset = x.selecting(rows: rows)
        let labels = rows.map { y[$0] }
        guard labels.contains(0), labels.contains(1) else {
            throw LearningError(.singleClass, "the \(rows.count) most recent rows kept for the SVM hold a single class")
        }
        let prep = Preprocessor(fitting: subset, standardize: true)
        let z = prep.transform(subset)
        let param = svm_parameter(
            svm_type: Int32(C_SVC), kernel_type: Int32(RBF), degree: 3, gamma: p.gamma ?? 1 / Double(x.cols),
            coef0: 0, cache_size: p.cacheMB, eps: p.tolerance, C: p.c, nr_weight: 0, weight_label: nil, weight: nil,
            nu: 0.5, p: 0.1, shrinking: 1, probability: 0
        )
        let n = rows.count
        // Platt calibration on out-of-fold decision values of two time-contiguous halves.
        let half = n / 2
        let first = Array(0..<half), second = Array(half..<n)
        var oof = [Double](repeating: 0, count: n)
        var calibrationRows = [Int]()
        for (fitRows, scoreRows) in [(first, second), (second, first)] {
            if shouldStop?() == true { throw LearningError.cancelled("SVM training") }
            let ys = Set(fitRows.map { labels[$0] })
            guard ys.count == 2 else { continue }
            let fold = try TrainedSVM(values: z, rows: fitRows, cols: x.cols, y: labels, parameter: param)
            let dec = decisionValues(fold.model, orientation: SVMModelHandle.orientation(of: fold.model), values: z, rows: scoreRows, cols: x.cols)
            for (i, r) in scoreRows.enumerated() { oof[r] = dec[i] }
            calibrationRows += scoreRows
        }
        if shouldStop?() == true { throw LearningError.cancelled("SVM training") }
        let full = try TrainedSVM(values: z, rows: Array(0..<n), cols: x.cols, y: labels, parameter: param)
        let text = try SVMModelHandle.save(full.model)
        let model = try SVMModelHandle(text: text)
        let outOfFold = !(calibrationRows.isEmpty || Set(calibrationRows.map { labels[$0] }).count < 2)
        if !outOfFold {
            // A half held one class: calibrate on in-sample decision values instead.
            oof = decisionValues(model.pointer, orientation: model.orientation, values: z, rows: Array(0..<n), cols: x.cols)
            calibrationRows = Array(0..<n)
            notes.append("in-sample calibration: a time half held one class, so no out-of-fold decision values")
        }
        calibrationRows.sort()
        notes.append("Platt sigmoid fitted on \(calibrationRows.count) \(outOfFold ? "out-of-fold (two time-contiguous halves)" : "in-sample") decision values")
        var (a, b) = PlattScaling.fit(decisionValues: calibrationRows.map { oof[$0] }, labels: calibrationRows.map { labels[$0] })
        if a >= 0 {
            // P = 1 / (1 + exp(A f + B)) with A >= 0 would reverse the SVM's ranking on the word of
            // out-of-fold values that show no usable signal. Calibration maps scale only: keep the
            // ranking, with a flat sigmoid at the (smoothed) base rate.
            (a, b) = PlattScaling.flat(labels: calibrationRows.map { labels[$0] })
            notes.append("Platt slope came out non-negative (no signal out of fold): ranking kept, probabilities flat at the base rate")
        }
        let header = ModelHeader(
            algorithm: .svm, hyperparameters: hyperparameters, columnNames: x.columnNames, seed: seed,
            preprocessor: prep, notes: notes, extras: ["plattA": a, "plattB": b]
        )
        lock.withLock { state = (model, header) }
    }

    /// The rows the SVM trains on (indices in time order) and the note saying so: all of them
    /// up to `cap`; above it the `cap` most recent. When those hold one class only while the
    /// rows hold both (many symbols sharing their last dates can make the most recent rows all
    /// one outcome), the oldest of them give way to the most recent rows of the missing class,
    /// as many as that class's share of all rows would bring (at least one), so that the fit
    /// sees both classes. Whenever the `cap` most recent rows hold both classes they are kept.
    static func cappedRows(_ y: [Int], cap: Int) -> (rows: [Int], note: String?) {
        let n = y.count
        guard n > cap else { return (Array(0..<n), nil) }
        let recent = (n - cap)..<n
        let positives = y[recent].reduce(0, +)
        let kept = "trained on the \(cap) most recent of \(n) rows (exact SVC grows ~n^2.2)"
        guard positives == 0 || positives == cap else { return (Array(recent), kept) }
        let missing = positives == 0 ? 1 : 0
        let available = y[..<(n - cap)].reduce(0) { $0 + ($1 == missing ? 1 : 0) }
        guard available > 0 else { return (Array(recent), kept) }
        let share = Int((Double(cap) * Double(available) / Double(n)).rounded())
        let k = max(1, min(available, share, cap / 2))
        var older = [Int]()
        older.reserveCapacity(k)
        var r = n - cap - 1
        while older.count < k {
            if y[r] == missing { older.append(r) }
            r -= 1
        }
        let rows = older.reversed() + Array((n - cap + k)..<n)
        return (rows, "trained on \(cap) of \(n) rows: the \(cap - k) most recent and, since those held one class, "
                + "the \(k) most recent of class \(missing) before them (exact SVC grows ~n^2.2)")
    }

    public func predictProbabilities(_ x: FeatureMatrix) throws -> [Double] {
        try predictProbabilities(x, threads: 1)
    }

    /// Probabilities with the rows split between `threads` threads (the same bits as on one).
    public func predictProbabilities(_ x: FeatureMatrix, threads: Int) throws -> [Double] {
        try lock.withLock {
            guard let state else { throw LearningError(.notFitted, "SVM model is not fitted") }
            try FitValidation.checkColumns(x, expected: state.header.columnNames.count)
            let z = state.header.preprocessor!.transform(x)
            let dec = decisionValues(state.model.pointer, orientation: state.model.orientation, values: z, count: x.rows, cols: x.cols, threads: threads)
            let a = state.header.extras["plattA"] ?? -1, b = state.header.extras["plattB"] ?? 0
            return dec.map { PlattScaling.probability($0, a: a, b: b) }
        }
    }

    public func serialize() throws -> [UInt8] {
        try lock.withLock {
            guard let state else { throw LearningError(.notFitted, "SVM model is not fitted") }
            return try ModelArtifact.encode(state.header, native: state.model.text)
        }
    }

    /// libsvm's model text (decision function only). Inputs must be imputed and standardized
    /// with the statistics in `serialize()`'s header, and probabilities need its Platt A and B.
    public func nativeExport() throws -> NativeExport {
        try lock.withLock {
            guard let state else { throw LearningError(.notFitted, "SVM model is not fitted") }
            return NativeExport(bytes: state.model.text, fileExtension: "model")
        }
    }

    public static func load(_ bytes: [UInt8]) throws -> SVMClassifier {
        let (header, native) = try ModelArtifact.decode(bytes, expecting: .svm)
        guard case .svm(let p) = header.hyperparameters, header.preprocessor != nil else {
            throw LearningError(.invalidArtifact, "SVM artifact lacks parameters or preprocessing")
        }
        let out = SVMClassifier(parameters: p)
        out.state = (try SVMModelHandle(text: native), header)
        return out
    }
}

/// Platt's sigmoid P(y=1 | f) = 1 / (1 + exp(A f + B)), fitted by Newton's method with
/// backtracking and Platt's smoothed targets (Lin, Lin & Weng 2007, as in libsvm).
enum PlattScaling {
    static func fit(decisionValues f: [Double], labels: [Int]) -> (a: Double, b: Double) {
        let prior1 = Double(labels.reduce(0, +)), prior0 = Double(labels.count) - prior1
        let hiTarget = (prior1 + 1) / (prior1 + 2), loTarget = 1 / (prior0 + 2)
        let t = labels.map { $0 == 1 ? hiTarget : loTarget }
        var a = 0.0, b = log((prior0 + 1) / (prior1 + 1))
        func objective(_ a: Double, _ b: Double) -> Double {
            var v = 0.0
            for i in f.indices {
                let fApB = f[i] * a + b
                v += fApB >= 0 ? t[i] * fApB + log1p(exp(-fApB)) : (t[i] - 1) * fApB + log1p(exp(fApB))
            }
            return v
        }
        var fval = objective(a, b)
        for _ in 0..<100 {
            var h11 = 1e-12, h22 = 1e-12, h21 = 0.0, g1 = 0.0, g2 = 0.0
            for i in f.indices {
                let fApB = f[i] * a + b
                let p: Double, q: Double
                if fApB >= 0 {
                    p = exp(-fApB) / (1 + exp(-fApB)); q = 1 / (1 + exp(-fApB))
                } else {
                    p = 1 / (1 + exp(fApB)); q = exp(fApB) / (1 + exp(fApB))
                }
                let d2 = p * q
                h11 += f[i] * f[i] * d2; h22 += d2; h21 += f[i] * d2
                let d1 = t[i] - p
                g1 += f[i] * d1; g2 += d1
            }
            if abs(g1) < 1e-5 && abs(g2) < 1e-5 { break }
            let det = h11 * h22 - h21 * h21
            let dA = -(h22 * g1 - h21 * g2) / det, dB = -(-h21 * g1 + h11 * g2) / det
            let gd = g1 * dA + g2 * dB
            var step = 1.0
            while step >= 1e-10 {
                let na = a + step * dA, nb = b + step * dB
                let nf = objective(na, nb)
                if nf < fval + 0.0001 * step * gd {
                    a = na; b = nb; fval = nf
                    break
                }
                step /= 2
            }
            if step < 1e-10 { break }
        }
        return (a, b)
    }

    /// A sigmoid that keeps the decision values' order (A slightly negative) at the smoothed
    /// base rate: for when the fitted slope would reverse the ranking.
    static func flat(labels: [Int]) -> (a: Double, b: Double) {
        let prior1 = Double(labels.reduce(0, +)), prior0 = Double(labels.count) - prior1
        return (-1e-6, log((prior0 + 1) / (prior1 + 1)))
    }

    static func probability(_ f: Double, a: Double, b: Double) -> Double {
        let fApB = f * a + b
        return fApB >= 0 ? exp(-fApB) / (1 + exp(-fApB)) : 1 / (1 + exp(fApB))
    }
}
