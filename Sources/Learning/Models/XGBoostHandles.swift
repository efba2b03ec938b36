import CXGBoost
import Foundation

/// Turns an XGBoost status code into a `LearningError` carrying `XGBGetLastError()`.
@inline(__always)
func xgCheck(_ status: Int32, _ what: @autoclosure () -> String) throws {
    guard status == 0 else {
        let message = XGBGetLastError().map { String(cString: $0) } ?? "unknown error"
        throw LearningError(.libraryError, "xgboost \(what()): \(message)")
    }
}

/// Owns an XGBoost DMatrix handle.
final class XGDMatrix {
    let handle: DMatrixHandle

    /// A matrix with NaN (and infinities, mapped to NaN) as missing values.
    init(_ x: FeatureMatrix, labels: [Int]? = nil) throws {
        let floats = x.floatValues()
        var h: DMatrixHandle?
        try xgCheck(XGDMatrixCreateFromMat(floats, bst_ulong(x.rows), bst_ulong(x.cols), .nan, &h), "creating a matrix")
        handle = h!
        if let labels {
            let y = labels.map(Float.init)
            try xgCheck(XGDMatrixSetFloatInfo(handle, "label", y, bst_ulong(y.count)), "setting labels")
        }
    }

    deinit { XGDMatrixFree(handle) }
}

/// Owns an XGBoost booster handle. Not thread-safe by itself; the owning classifier locks.
final class XGBooster {
    let handle: BoosterHandle

    init(cache: [XGDMatrix] = []) throws {
        var h: BoosterHandle?
        var handles: [DMatrixHandle?] = cache.map { $0.handle }
        try xgCheck(XGBoosterCreate(&handles, bst_ulong(handles.count), &h), "creating a booster")
        handle = h!
    }

    private init(handle: BoosterHandle) { self.handle = handle }

    /// A booster restored from `save(format:)` bytes (JSON or UBJ).
    convenience init(loading bytes: [UInt8]) throws {
        try self.init()
        try xgCheck(XGBoosterLoadModelFromBuffer(handle, bytes, bst_ulong(bytes.count)), "loading a model")
        try set("nthread", "1")
    }

    deinit { XGBoosterFree(handle) }

    func set(_ name: String, _ value: String) throws {
        try xgCheck(XGBoosterSetParam(handle, name, value), "setting \(name)=\(value)")
    }

    func updateOneIter(_ iter: Int, _ train: XGDMatrix) throws {
        try xgCheck(XGBoosterUpdateOneIter(handle, Int32(iter), train.handle), "boosting round \(iter)")
    }

    /// The first metric value of the evaluation line, e.g. `[3]\tvalid-logloss:0.61` → 0.61.
    func evalMetric(_ iter: Int, _ data: XGDMatrix, name: String) throws -> Double {
        var handles: [DMatrixHandle?] = [data.handle]
        var out: UnsafePointer<CChar>?
        try name.withCString { namePtr in
            var names: [UnsafePointer<CChar>?] = [namePtr]
            try xgCheck(XGBoosterEvalOneIter(handle, Int32(iter), &handles, &names, 1, &out), "evaluating round \(iter)")
        }
        let line = String(cString: out!)
        guard let colon = line.lastIndex(of: ":"), let v = Double(line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)) else {
            throw LearningError(.libraryError, "xgboost: unreadable evaluation line \(line)")
        }
        return v
    }

    /// Rounds `0..<end` as a new booster.
    func slice(end: Int) throws -> XGBooster {
        var out: BoosterHandle?
        try xgCheck(XGBoosterSlice(handle, 0, Int32(end), 1, &out), "slicing to \(end) rounds")
        return XGBooster(handle: out!)
    }

    /// `format` is `json` or `ubj`; the library's buffer is copied at once.
    func save(format: String) throws -> [UInt8] {
        var len: bst_ulong = 0
        var ptr: UnsafePointer<CChar>?
        try xgCheck(XGBoosterSaveModelToBuffer(handle, "{\"format\":\"\(format)\"}", &len, &ptr), "saving the model")
        return ptr!.withMemoryRebound(to: UInt8.self, capacity: Int(len)) { Array(UnsafeBufferPointer(start: $0, count: Int(len))) }
    }

    /// Predictions of `type` (0 probability, 2 SHAP contributions), copied at once.
    func predict(_ x: XGDMatrix, type: Int) throws -> (values: [Float], shape: [Int]) {
        let config = "{\"type\": \(type), \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, \"strict_shape\": false}"
        var shapePtr: UnsafePointer<bst_ulong>?
        var dim: bst_ulong = 0
        var result: UnsafePointer<Float>?
        try xgCheck(XGBoosterPredictFromDMatrix(handle, x.handle, config, &shapePtr, &dim, &result), "predicting")
        let shape = (0..<Int(dim)).map { Int(shapePtr![$0]) }
        let count = shape.reduce(1, *)
        return (Array(UnsafeBufferPointer(start: result, count: count)), shape)
    }

    /// Probabilities straight from a dense row-major float32 buffer (XGBoost's in-place
    /// prediction): no DMatrix is built, which was a third of scoring a million rows. NaN is
    /// missing, as in `XGDMatrix`; a test checks both paths give the same bits.
    func predictInPlace(_ values: [Float], rows: Int, cols: Int) throws -> [Float] {
        try values.withUnsafeBufferPointer { buffer in
            let address = UInt(bitPattern: buffer.baseAddress)
            let interface = "{\"data\": [\(address), true], \"shape\": [\(rows), \(cols)], \"typestr\": \"<f4\", \"version\": 3}"
            let config = "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, \"strict_shape\": false, \"cache_id\": 0, \"missing\": NaN}"
            var shapePtr: UnsafePointer<bst_ulong>?
            var dim: bst_ulong = 0
            var result: UnsafePointer<Float>?
            try xgCheck(XGBoosterPredictFromDense(handle, interface, config, nil, &shapePtr, &dim, &result), "predicting")
            let count = (0..<Int(dim)).reduce(1) { $0 * Int(shapePtr![$1]) }
            guard count == rows else { throw LearningError(.libraryError, "XGBoost returned \(count) predictions for \(rows) rows") }
            return Array(UnsafeBufferPointer(start: result, count: count))
        }
    }

    /// Per-feature score of `importanceType` (`gain`, `weight`, ...) for `cols` features `f0..`.
    func featureScore(_ importanceType: String, cols: Int) throws -> [Double] {
        var nFeatures: bst_ulong = 0
        var names: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        var dim: bst_ulong = 0
        var shape: UnsafePointer<bst_ulong>?
        var scores: UnsafePointer<Float>?
        let config = "{\"importance_type\": \"\(importanceType)\"}"
        try xgCheck(XGBoosterFeatureScore(handle, config, &nFeatures, &names, &dim, &shape, &scores), "feature scores")
        var out = [Double](repeating: 0, count: cols)
        for i in 0..<Int(nFeatures) {
            let name = String(cString: names![i]!)
            if name.hasPrefix("f"), let c = Int(name.dropFirst()), c < cols { out[c] = Double(scores![i]) }
        }
        return out
    }
}
