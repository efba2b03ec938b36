import COpenBLAS
import Foundation
import ModelMetrics

/// The learned weights of an MLP plus the preprocessing it expects; also its native export.
struct MLPWeights: Codable, Equatable {
    var activation = "relu"
    var output = "sigmoid"
    /// Layer widths from input to output, e.g. `[30, 32, 16, 1]`.
    var layers: [Int]
    /// Per layer, an `in x out` row-major matrix.
    var weights: [[Double]]
    var biases: [[Double]]
    var medians: [Double]
    var means: [Double]
    var scales: [Double]
}

/// Forward/backward passes over cblas_dgemm, row-major, for a batch of rows.
struct MLPNetwork {
    var layers: [Int]
    var w: [[Double]]
    var b: [[Double]]

    /// Activations per layer (index 0 = input), post-activation; the last is the probability.
    func forward(_ x: [Double], rows: Int) -> [[Double]] {
        var acts = [x]
        for l in 0..<(layers.count - 1) {
            let nIn = layers[l], nOut = layers[l + 1]
            var z = [Double](repeating: 0, count: rows * nOut)
            if rows > 0 {
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(nOut), Int32(nIn),
                            1, acts[l], Int32(nIn), w[l], Int32(nOut), 0, &z, Int32(nOut))
            }
            let last = l == layers.count - 2
            let bias = b[l]
            z.withUnsafeMutableBufferPointer { zp in
                for r in 0..<rows {
                    for j in 0..<nOut {
                        let v = zp[r * nOut + j] + bias[j]
                        zp[r * nOut + j] = last ? MLPNetwork.sigmoid(v) : max(0, v)
                    }
                }
            }
            acts.append(z)
        }
        return acts
    }

    /// Gradients of the mean log loss (plus `l2 / 2 * |W|^2`) for one batch (allocating: the
    /// reference the scratch-buffer version below is tested against).
    func gradients(_ x: [Double], y: [Double], rows: Int, l2: Double) -> (dw: [[Double]], db: [[Double]]) {
        let acts = forward(x, rows: rows)
        var dw = w.map { [Double](repeating: 0, count: $0.count) }
        var db = b.map { [Double](repeating: 0, count: $0.count) }
        let L = layers.count - 1
        var dz = [Double](repeating: 0, count: rows)
        for r in 0..<rows { dz[r] = (acts[L][r] - y[r]) / Double(rows) }
        for l in stride(from: L - 1, through: 0, by: -1) {
            let nIn = layers[l], nOut = layers[l + 1]
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(nIn), Int32(nOut), Int32(rows),
                        1, acts[l], Int32(nIn), dz, Int32(nOut), 0, &dw[l], Int32(nOut))
            for i in 0..<dw[l].count { dw[l][i] += l2 * w[l][i] }
            for r in 0..<rows { for j in 0..<nOut { db[l][j] += dz[r * nOut + j] } }
            if l > 0 {
                var da = [Double](repeating: 0, count: rows * nIn)
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(nIn), Int32(nOut),
                            1, dz, Int32(nOut), w[l], Int32(nOut), 0, &da, Int32(nIn))
                let prev = acts[l]
                for i in 0..<da.count where prev[i] <= 0 { da[i] = 0 }
                dz = da
            }
        }
        return (dw, db)
    }

    /// `gradients` for training: the same arithmetic in the same order, on buffers reused
    /// across batches (`scratch`), with the batch's inputs already in `scratch.acts[0]` and its
    /// labels in `scratch.y`. Leaves the gradients in `scratch.dw` and `scratch.db`.
    func gradients(_ scratch: GradientScratch, rows: Int, l2: Double) {
        let L = layers.count - 1
        let acts = scratch.acts
        for l in 0..<L {
            let nIn = layers[l], nOut = layers[l + 1]
            let z = acts[l + 1]
            z.update(repeating: 0, count: rows * nOut)
            if rows > 0 {
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(nOut), Int32(nIn),
                            1, acts[l], Int32(nIn), w[l], Int32(nOut), 0, z, Int32(nOut))
            }
            let last = l == L - 1
            b[l].withUnsafeBufferPointer { bias in
                for r in 0..<rows {
                    for j in 0..<nOut {
                        let v = z[r * nOut + j] + bias[j]
                        z[r * nOut + j] = last ? MLPNetwork.sigmoid(v) : max(0, v)
                    }
                }
            }
        }
        var dz = scratch.dz, da = scratch.da
        let out = acts[L], y = scratch.y
        for r in 0..<rows { dz[r] = (out[r] - y[r]) / Double(rows) }
        for l in stride(from: L - 1, through: 0, by: -1) {
            let nIn = layers[l], nOut = layers[l + 1]
            let dw = scratch.dw[l], db = scratch.db[l]
            dw.update(repeating: 0, count: nIn * nOut)
            db.update(repeating: 0, count: nOut)
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(nIn), Int32(nOut), Int32(rows),
                        1, acts[l], Int32(nIn), dz, Int32(nOut), 0, dw, Int32(nOut))
            w[l].withUnsafeBufferPointer { wl in
                for i in 0..<(nIn * nOut) { dw[i] += l2 * wl[i] }
            }
            for r in 0..<rows { for j in 0..<nOut { db[j] += dz[r * nOut + j] } }
            if l > 0 {
                da.update(repeating: 0, count: rows * nIn)
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(nIn), Int32(nOut),
                            1, dz, Int32(nOut), w[l], Int32(nOut), 0, da, Int32(nIn))
                let prev = acts[l]
                for i in 0..<(rows * nIn) where prev[i] <= 0 { da[i] = 0 }
                swap(&dz, &da)
            }
        }
    }

    static func sigmoid(_ v: Double) -> Double {
        v >= 0 ? 1 / (1 + exp(-v)) : exp(v) / (1 + exp(v))
    }
}

/// The buffers of one MLP training step, allocated once per fit and reused by every batch
/// (allocating them per batch was most of the fit's time besides the matrix products).
final class GradientScratch {
    /// Per layer (0 = the batch's inputs), `batch x width` activations.
    let acts: [UnsafeMutablePointer<Double>]
    let dw: [UnsafeMutablePointer<Double>]
    let db: [UnsafeMutablePointer<Double>]
    /// The batch's labels.
    let y: UnsafeMutablePointer<Double>
    /// Back-propagated errors: `batch x widest layer`, two buffers swapped layer by layer.
    let dz: UnsafeMutablePointer<Double>
    let da: UnsafeMutablePointer<Double>

    init(layers: [Int], batch: Int) {
        let rows = max(1, batch)
        acts = layers.map { .allocate(capacity: rows * $0) }
        dw = (0..<(layers.count - 1)).map { .allocate(capacity: layers[$0] * layers[$0 + 1]) }
        db = layers.dropFirst().map { .allocate(capacity: $0) }
        y = .allocate(capacity: rows)
        let widest = layers.max() ?? 1
        dz = .allocate(capacity: rows * widest)
        da = .allocate(capacity: rows * widest)
    }

    deinit {
        for p in acts + dw + db + [y, dz, da] { p.deallocate() }
    }
}

/// A small multi-layer perceptron in Swift over OpenBLAS (`cblas_dgemm`): ReLU hidden layers,
/// sigmoid output, Adam on shuffled minibatches, Glorot (Xavier) uniform initialisation from a
/// seeded `SplitMix64`, early stopping on the AUC of a time-ordered validation tail; see
/// `MLPParameters`. Features are median-imputed and standardized. OpenBLAS is set to one thread
/// so results are reproducible.
///
/// Why Glorot and AUC (bench/README.md, 10 seeds on two data sets): on near-noise signals the
/// tail's best epoch is one of the first few, so the kept network stays close to its
/// initialisation. He's wider draws (variance 2 / fan-in, also for the sigmoid layer) kept a
/// rough random function; Glorot's `U(±sqrt(6 / (fan-in + fan-out)))` (`±sqrt(2 / ...)` for the
/// sigmoid layer, as scikit-learn and Keras) a smoother one: holdout AUC +0.02 to +0.03. The
/// tail's log loss also moves with the base rate of the most recent rows, which the model's
/// ranking does not control; the tail's AUC is what selection and promotion use (log loss only
/// when the tail holds one class).
public final class MLPClassifier: Classifier, @unchecked Sendable {
    /// The hyperparameters given at creation.
    public let parameters: MLPParameters
    private let lock = NSLock()
    private var state: (weights: MLPWeights, header: ModelHeader, native: [UInt8])?

    /// An unfitted model.
    public init(parameters: MLPParameters = .init()) { self.parameters = parameters }

    public var algorithm: Algorithm { .nn }
    public var hyperparameters: Hyperparameters { .nn(parameters) }
    public var notes: [String] { lock.withLock { state?.header.notes ?? [] } }
    public var isFitted: Bool { lock.withLock { state != nil } }

    private static let singleThreaded: Bool = {
        openblas_set_num_threads(1)
        return true
    }()

    public func fit(_ x: FeatureMatrix, y: [Int], seed: UInt64, shouldStop: StopCheck?) throws {
        try FitValidation.check(x, y)
        let p = parameters
        guard !p.hiddenLayers.isEmpty, p.hiddenLayers.allSatisfy({ $0 >= 1 }), p.learningRate > 0, p.batchSize >= 1,
              p.maxEpochs >= 1, p.l2 >= 0, p.validationFraction > 0, p.validationFraction < 0.5 else {
            throw LearningError(.invalidParameters, "MLP: hidden layers >= 1 unit, learningRate > 0, batchSize >= 1, maxEpochs >= 1, l2 >= 0, 0 < validationFraction < 0.5")
        }
        _ = Self.singleThreaded
        let prep = Preprocessor(fitting: x, standardize: true)
        let z = prep.transform(x)
        let d = x.cols
        let nValid = max(2, Int((Double(x.rows) * p.validationFraction).rounded()))
        let nTrain = x.rows - nValid
        let validX = Array(z[(nTrain * d)...])
        let validY = y[nTrain...].map(Double.init)

        let validLabels = y[nTrain...].map { $0 }
        let tailHasBothClasses = validLabels.contains(0) && validLabels.contains(1)

        var rng = SplitMix64(seed: seed)
        let layers = [d] + p.hiddenLayers + [1]
        var net = MLPNetwork(layers: layers, w: [], b: [])
        for l in 0..<(layers.count - 1) {
            let gain = l == layers.count - 2 ? 2.0 : 6.0
            let bound = (gain / Double(layers[l] + layers[l + 1])).squareRoot()
            net.w.append((0..<(layers[l] * layers[l + 1])).map { _ in (2 * rng.nextUniform() - 1) * bound })
            net.b.append([Double](repeating: 0, count: layers[l + 1]))
        }
        var mW = net.w.map { $0.map { _ in 0.0 } }, vW = mW
        var mB = net.b.map { $0.map { _ in 0.0 } }, vB = mB
        let beta1 = 0.9, beta2 = 0.999, eps = 1e-8
        var t = 0.0
        var order = Array(0..<nTrain)
        // Lower is better: minus the tail's AUC, or its log loss when the tail holds one class.
        var best = (loss: Double.infinity, w: net.w, b: net.b, epoch: 0)
        var epochs = 0
        let scratch = GradientScratch(layers: layers, batch: min(p.batchSize, nTrain))
        let learningRate = p.learningRate
        /// One Adam step of `param` with gradient `g` and moments `m`, `v` (`count` values).
        func adam(_ param: inout [Double], _ m: inout [Double], _ v: inout [Double], _ g: UnsafeMutablePointer<Double>, c1: Double, c2: Double) {
            let count = param.count
            param.withUnsafeMutableBufferPointer { w in
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        for i in 0..<count {
                            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                            w[i] -= learningRate * (m[i] / c1) / ((v[i] / c2).squareRoot() + eps)
                        }
                    }
                }
            }
        }
        for epoch in 0..<p.maxEpochs {
            if shouldStop?() == true { throw LearningError.cancelled("neural network training") }
            order.shuffle(using: &rng)
            var start = 0
            z.withUnsafeBufferPointer { zp in
                while start < nTrain {
                    let end = min(nTrain, start + p.batchSize)
                    for (k, r) in order[start..<end].enumerated() {
                        (scratch.acts[0] + k * d).update(from: zp.baseAddress! + r * d, count: d)
                        scratch.y[k] = Double(y[r])
                    }
                    net.gradients(scratch, rows: end - start, l2: p.l2)
                    t += 1
                    let c1 = 1 - pow(beta1, t), c2 = 1 - pow(beta2, t)
                    for l in 0..<net.w.count {
                        adam(&net.w[l], &mW[l], &vW[l], scratch.dw[l], c1: c1, c2: c2)
                        adam(&net.b[l], &mB[l], &vB[l], scratch.db[l], c1: c1, c2: c2)
                    }
                    start = end
                }
            }
            epochs = epoch + 1
            let probs = net.forward(validX, rows: nValid).last!
            var loss = 0.0
            if tailHasBothClasses {
                loss = -Metrics.auc(labels: validLabels, scores: probs)
            } else {
                for i in 0..<nValid {
                    let q = min(max(probs[i], 1e-15), 1 - 1e-15)
                    loss -= validY[i] * log(q) + (1 - validY[i]) * log(1 - q)
                }
                loss /= Double(nValid)
            }
            if loss < best.loss - 1e-7 {
                best = (loss, net.w, net.b, epoch + 1)
            } else if epoch + 1 - best.epoch >= p.patience {
                break
            }
        }
        let weights = MLPWeights(layers: layers, weights: best.w, biases: best.b,
                                 medians: prep.medians, means: prep.means, scales: prep.scales)
        let header = ModelHeader(
            algorithm: .nn, hyperparameters: hyperparameters, columnNames: x.columnNames, seed: seed,
            preprocessor: prep,
            notes: ["early stopping kept epoch \(best.epoch) of \(epochs) (validation tail: last \(nValid) of \(x.rows) rows, "
                    + (tailHasBothClasses ? String(format: "AUC %.5f)", -best.loss) : String(format: "one class, log loss %.5f)", best.loss))]
        )
        let native = try [UInt8](JSONEncoder.sortedKeys().encode(weights))
        lock.withLock { state = (weights, header, native) }
    }

    public func predictProbabilities(_ x: FeatureMatrix) throws -> [Double] {
        try lock.withLock {
            guard let state else { throw LearningError(.notFitted, "neural network model is not fitted") }
            try FitValidation.checkColumns(x, expected: state.header.columnNames.count)
            let net = MLPNetwork(layers: state.weights.layers, w: state.weights.weights, b: state.weights.biases)
            let z = state.header.preprocessor!.transform(x)
            var out = [Double]()
            out.reserveCapacity(x.rows)
            var start = 0
            while start < x.rows {
                let end = min(x.rows, start + 2048)
                out += net.forward(Array(z[(start * x.cols)..<(end * x.cols)]), rows: end - start).last!
                start = end
            }
            return out
        }
    }

    public func serialize() throws -> [UInt8] {
        try lock.withLock {
            guard let state else { throw LearningError(.notFitted, "neural network model is not fitted") }
            return try ModelArtifact.encode(state.header, native: state.native)
        }
    }

    /// JSON: layer widths, row-major `in x out` weight matrices, biases, and the imputation
    /// medians, means and scales to apply first (`(x or median - mean) / scale`).
    public func nativeExport() throws -> NativeExport {
        try lock.withLock {
            guard let state else { throw LearningError(.notFitted, "neural network model is not fitted") }
            return NativeExport(bytes: state.native, fileExtension: "json")
        }
    }

    public static func load(_ bytes: [UInt8]) throws -> MLPClassifier {
        let (header, native) = try ModelArtifact.decode(bytes, expecting: .nn)
        guard case .nn(let p) = header.hyperparameters, header.preprocessor != nil else {
            throw LearningError(.invalidArtifact, "neural network artifact lacks parameters or preprocessing")
        }
        let weights: MLPWeights
        do { weights = try JSONDecoder().decode(MLPWeights.self, from: Data(native)) } catch {
            throw LearningError(.invalidArtifact, "unreadable MLP weights: \(error)")
        }
        guard weights.layers.first == header.columnNames.count, weights.weights.count == weights.layers.count - 1 else {
            throw LearningError(.invalidArtifact, "MLP weights do not match the header")
        }
        let out = MLPClassifier(parameters: p)
        out.state = (weights, header, native)
        return out
    }
}
