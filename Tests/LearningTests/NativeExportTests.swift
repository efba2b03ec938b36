import Foundation
import Testing
@testable import Learning

/// The Python interpreter to check XGBoost exports with: `IMPROVEMENTD_PYTHON` or `python3`.
private let python = ProcessInfo.processInfo.environment["IMPROVEMENTD_PYTHON"] ?? "python3"

private func run(_ arguments: [String]) -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do { try process.run() } catch { return (-1, "\(error)") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

private let pythonHasXGBoost: Bool = run([python, "-c", "import xgboost"]).status == 0

@Suite struct NativeExportTests {
    @Test(
        "XGBoost JSON exports load in Python xgboost with the same probabilities",
        .enabled(if: pythonHasXGBoost, "needs Python with xgboost: set IMPROVEMENTD_PYTHON (e.g. a venv's python) or install it for python3"),
        arguments: [Algorithm.gb, .rf]
    )
    func xgboostExportLoadsInPython(_ algorithm: Algorithm) throws {
        let (x, y) = Synthetic.separable(rows: 400, seed: 31)
        let model = Classifiers.make(algorithm)
        try model.fit(x, y: y, seed: 5)
        let export = try model.nativeExport()
        #expect(export.fileExtension == "json")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("improvementd-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let modelURL = dir.appendingPathComponent("model.json")
        try Data(export.bytes).write(to: modelURL)
        // Features as CSV with "nan" for missing values.
        var csv = ""
        for r in 0..<x.rows {
            csv += (0..<x.cols).map { x[r, $0].isFinite ? "\(x[r, $0])" : "nan" }.joined(separator: ",") + "\n"
        }
        let dataURL = dir.appendingPathComponent("x.csv")
        try csv.write(to: dataURL, atomically: true, encoding: .utf8)
        let script = """
        import sys, numpy as np, xgboost as xgb
        b = xgb.Booster(); b.load_model(sys.argv[1])
        x = np.loadtxt(sys.argv[2], delimiter=",", dtype=np.float32, ndmin=2)
        for p in b.predict(xgb.DMatrix(x, missing=np.nan)): print(repr(float(p)))
        """
        let (status, output) = run([python, "-c", script, modelURL.path, dataURL.path])
        try #require(status == 0, "python failed: \(output)")
        let theirs = output.split(separator: "\n").compactMap { Double($0) }
        let ours = try model.predictProbabilities(x)
        try #require(theirs.count == ours.count, "python printed \(theirs.count) values: \(output.prefix(500))")
        let worst = zip(theirs, ours).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-6, "largest difference \(worst)")
    }
}

/// Scoring predicts in place from a dense buffer; training's XGBoost code paths build a
/// DMatrix. Both must give the same bits, NaN (missing) included.
@Suite struct InPlacePredictionTests {
    @Test(arguments: [Algorithm.gb, .rf])
    func inPlaceEqualsDMatrix(_ algorithm: Algorithm) throws {
        let (x, y) = Synthetic.separable(rows: 3000, seed: 11)
        let model = try Classifiers.make(Synthetic.fastParameters(algorithm))
        try model.fit(x, y: y, seed: 5, shouldStop: nil)
        let state = try XGBoostState(bytes: try model.serialize(), algorithm: algorithm)
        let (test, _) = Synthetic.separable(rows: 2000, seed: 12)
        #expect(test.values.contains { $0.isNaN })
        let inPlace = try state.predict(test), viaDMatrix = try state.predictThroughDMatrix(test)
        #expect(inPlace.count == 2000)
        #expect(inPlace.map(\.bitPattern) == viaDMatrix.map(\.bitPattern))
        #expect(Set(inPlace).count > 10) // a real model, not a constant
        // Scoring on two threads splits the rows: the same bits.
        let parallel = try #require(model as? any ParallelScoring)
        #expect(try parallel.predictProbabilities(test, threads: 2).map(\.bitPattern) == inPlace.map(\.bitPattern))
    }
}
