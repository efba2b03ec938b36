import Foundation
@testable import UseCases
import Logging
import Store
import TradingDomain
import GRDB

/// Paths and scratch stores shared by the tests.
enum TestSupport {
    /// The package root, found from this file's path.
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("package root not found above \(#filePath)")
    }()

    static var ohlcv: String { root.appendingPathComponent("examples/data/ohlcv").path }
    static var symbolsCSV: String { root.appendingPathComponent("examples/data/symbols.csv").path }

    /// A new empty folder under the temporary directory.
    static func scratch() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("improvementd-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// An app on a fresh store in a scratch folder.
    static func app(_ dir: URL = scratch(), environment: [String: String] = [:]) throws -> App {
        var env = ["IMPROVEMENTD_REPORTS_DIR": dir.appendingPathComponent("reports").path,
                   "IMPROVEMENTD_INBOX_DIR": dir.appendingPathComponent("inbox").path]
        for (k, v) in environment { env[k] = v }
        // Tests keep their output for test results: decisions are checked in the store instead.
        let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        return try App.open(configPath: nil, databaseOverride: dir.appendingPathComponent("store.sqlite").path, environment: env, logger: quiet)
    }

    /// A store holding the bundled real bars and symbols, the four built-in strategies
    /// backfilled and labeled. Built once, then copied for each test that asks.
    static let realStoreTemplate: URL = {
        let dir = scratch()
        let app = try! TestSupport.app(dir)
        _ = try! app.importer.run(.bars, paths: [ohlcv], skipInvalid: false)
        _ = try! app.importer.run(.symbols, paths: [symbolsCSV], skipInvalid: false)
        _ = try! app.backfill.run(BuiltInStrategy.allCases)
        _ = try! app.labeling.label()
        _ = try! app.features.compute()
        // Fold the WAL into the main file once, so copies of the one file hold everything.
        try! app.store.pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        return dir.appendingPathComponent("store.sqlite")
    }()

    /// A fresh copy of the real-data store, opened with `environment` overrides.
    static func realApp(environment: [String: String] = [:]) throws -> App {
        let dir = scratch()
        try FileManager.default.copyItem(at: realStoreTemplate, to: dir.appendingPathComponent("store.sqlite"))
        return try app(dir, environment: environment)
    }

    /// Quick training settings for tests: no tuning, fixed seed.
    static let quickTraining = ["IMPROVEMENTD_TRAINING_TUNING_TRIALS": "0"]

    static func write(_ text: String, to dir: URL, name: String) -> String {
        let path = dir.appendingPathComponent(name).path
        try! Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The built executable, for end-to-end CLI tests.
    static var binary: URL {
        let candidates = [".build/debug/improvementd", ".build/release/improvementd"].map { root.appendingPathComponent($0) }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    /// Runs the built binary; returns (exit status, stdout, stderr).
    @discardableResult
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("IMPROVEMENTD_") && $0.key != "JOURNAL_STREAM" }
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// Starts `binary` with the environment of this process less its IMPROVEMENTD_ variables (and
    /// JOURNAL_STREAM), plus `extra`; stdout and stderr go to files in `dir`, so a large output
    /// never blocks the child. The caller waits for it.
    static func launch(_ binary: URL, _ arguments: [String], in dir: URL, environment extra: [String: String]) throws -> (process: Process, out: URL, err: URL) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("IMPROVEMENTD_") && $0.key != "JOURNAL_STREAM" }
        for (k, v) in extra { env[k] = v }
        process.environment = env
        let out = dir.appendingPathComponent("run-\(UUID().uuidString).out"), err = dir.appendingPathComponent("run-\(UUID().uuidString).err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        return (process, out, err)
    }
}
