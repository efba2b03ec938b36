import Foundation
import Testing
@testable import UseCases
import Learning
import Policy
import ModelMetrics
import Reports
import Store

/// The HTML pages, `status` and the metrics textfile read back: every figure on a page is the
/// stored value, a store with little in it renders without gaps, the JSON follows its schema.
// On the main actor: these tests train and run Python for seconds, and on the cooperative pool
// (two threads here) they would stall every other suite's timers.
@MainActor @Suite(.serialized) struct ReportPagesTests {
    /// Every `<data>` figure of a page: key → (exact value, text shown).
    nonisolated static func figures(_ html: String) -> [String: (value: Double, text: String)] {
        let r = try! Regex(#"<data class="figure" value="([^"]+)" data-key="([^"]+)"[^>]*>([^<]*)</data>"#)
        var out: [String: (Double, String)] = [:]
        for m in html.matches(of: r) {
            let value = Double(String(m.output[1].substring!))!
            out[String(m.output[2].substring!)] = (value, String(m.output[3].substring!))
        }
        return out
    }

    /// The text of a figure starts with its value rounded to as many decimals as it shows.
    nonisolated static func checkRounding(_ figures: [String: (value: Double, text: String)]) {
        for (key, f) in figures {
            let shown = String(f.text.prefix { !$0.isWhitespace })
            let decimals = shown.split(separator: ".").dropFirst().first?.count ?? 0
            #expect(shown == Page.format(f.value, decimals: decimals), "\(key): \(f.text) for \(f.value)")
        }
    }

    /// No gap or undefined number a reader would see.
    nonisolated static func checkNoGaps(_ html: String, _ name: String) {
        let text = html.replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
        for bad in ["NaN", "nan", "inf", "undefined", "Optional("] {
            #expect(!text.contains(bad), "\(name) shows \(bad)")
        }
        #expect(!html.contains("<td></td>"), "\(name) has an empty cell")
        #expect(!html.contains("d=\"\""), "\(name) has an empty path")
        #expect(!html.contains("<script"), "\(name) has a script")
        #expect(!html.contains("http://") || !html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http://"), "\(name) links out")
    }

    /// A store with one version whose holdout scores are a coin toss (no demonstrated skill), no
    /// evaluations and no decisions.
    nonisolated static func oneVersionApp(textfileDir: String? = nil) throws -> App {
        var env: [String: String] = [:]
        if let textfileDir { env["IMPROVEMENTD_METRICS_TEXTFILE_DIR"] = textfileDir }
        let app = try TestSupport.app(environment: env)
        var rng = SplitMix64(seed: 7)
        let labels = (0..<200).map { _ in Int(rng.next() % 2) }
        let scores = (0..<200).map { _ in Double(rng.next() % 1000) / 1000 }
        let metrics = try Metrics(labels: labels, probabilities: scores)
        let encoder = JSONEncoder()
        let version = try app.store.registerModel(NewModelVersion(
            algorithm: "lr", hyperparameters: #"{"c":1}"#, featureSchemaHash: "h", dataStart: "2024-01-01", dataEnd: "2024-06-30",
            nTrain: 800, nHoldout: 200, seed: 42, libraryVersions: "{}", cvMetrics: "[]",
            holdoutMetrics: String(decoding: try encoder.encode(metrics), as: UTF8.self), artifact: [1, 2, 3],
            holdoutScores: HoldoutScores(labels: labels, models: [.init(name: "lr", version: nil, probabilities: scores)], production: nil)
        ))
        try app.store.promote(version, reason: "first model")
        return app
    }

    @Test func aStoreWithOneUnskilledVersionAndNoEvaluationsRendersWithoutGaps() throws {
        let app = try Self.oneVersionApp()
        let dir = TestSupport.scratch().path
        let written = try HTMLReports.write(app: app, to: dir)
        #expect(written.map { ($0 as NSString).lastPathComponent } == ["index.html", "run-v1.html"])
        let index = try String(contentsOfFile: written[0], encoding: .utf8)
        let run = try String(contentsOfFile: written[1], encoding: .utf8)
        Self.checkNoGaps(index, "index.html")
        Self.checkNoGaps(run, "run-v1.html")
        #expect(index.contains("no demonstrated skill") && run.contains("no demonstrated skill"))
        #expect(index.contains("No evaluation yet") && index.contains("no data yet"))
        #expect(index.contains("href=\"run-v1.html\""))
        for chart in ["roc", "reliability", "histogram"] { #expect(run.contains("data-chart=\"\(chart)\""), "\(chart)") }
        #expect(run.contains("No feature importance is stored"))
        let scores = try #require(try app.store.holdoutScores(1))
        let f = Self.figures(run)
        Self.checkRounding(f)
        let auc = DeLong.interval(labels: scores.labels, scores: scores.models[0].probabilities)
        #expect(f["holdout.auc"]?.value == auc.estimate)
        #expect(auc.contains(0.5))
        let stored = try #require(try app.store.modelVersion(1).holdout)
        #expect(abs(auc.estimate - stored.auc) < 1e-12)
        #expect(f["holdout.accuracy"]?.value == stored.accuracy && f["holdout.brier"]?.value == stored.brier)
        #expect(f["holdout.n"]?.value == 200 && f["train.n"]?.value == 800)
    }

    @Test func theReportAndStatusCommandsEndToEnd() throws {
        let app = try Self.oneVersionApp()
        let db = app.store.path
        let out = TestSupport.scratch().path
        let (code, printed, err) = try TestSupport.run(["report", "--out", out, "--db", db])
        #expect(code == 0, "\(err)")
        #expect(printed.split(separator: "\n").map { ($0 as NSString).lastPathComponent } == ["index.html", "run-v1.html"])
        let (missing, _, why) = try TestSupport.run(["report", "--version", "9", "--out", out, "--db", db])
        #expect(missing == 1 && why.contains("there is no model version 9"), "\(why)")
        let (jsonCode, json, _) = try TestSupport.run(["status", "--json", "--db", db])
        let status = try JSONDecoder().decode(DaemonStatus.self, from: Data(json.utf8))
        #expect(jsonCode == 0 && status.production?.version == 1 && status.production?.noDemonstratedSkill == true)
        let (textCode, text, _) = try TestSupport.run(["status", "--db", db])
        #expect(textCode == 0 && text.contains("production:      v1 logistic regression") && text.contains("no demonstrated skill"), "\(text)")
        #expect(text.contains("(row counts: improvementd status --tables)") && !text.contains("rows:"))
        let (_, tables, _) = try TestSupport.run(["status", "--tables", "--db", db])
        #expect(tables.contains("rows:") && tables.contains("production model: v1 lr"), "\(tables)")
    }

    @Test func everyFigureOnTheTrainingAndHistoryPagesIsTheStoredValue() throws {
        let app = try TestSupport.realApp(environment: TestSupport.quickTraining)
        _ = try app.training.train(algorithms: [.lr], tune: false)
        let (second, _, _) = try app.training.train(algorithms: [.gb], tune: false)
        try app.store.insertEvaluation(modelVersion: 1, windowStart: "2026-03-01", windowEnd: "2026-03-31", n: 60, accuracy: 0.65,
                                       auc: 0.54, precision: 0.3, recall: 0.2, f1: 0.24, combined: 0.39, successRate: 0.4,
                                       details: #"{"labeled_in_window":70,"scored_unseen":60}"#)
        // Training wrote the pages into the reports folder already.
        let reports = app.config.reportsDir
        let index = try String(contentsOfFile: (reports as NSString).appendingPathComponent("index.html"), encoding: .utf8)
        #expect(index.contains("href=\"run-v2.html\""))
        let dir = TestSupport.scratch().path
        let written = try HTMLReports.write(app: app, to: dir)
        #expect(written.count == 3)
        for path in written { Self.checkNoGaps(try String(contentsOfFile: path, encoding: .utf8), path) }

        let run = try String(contentsOfFile: (dir as NSString).appendingPathComponent("run-v2.html"), encoding: .utf8)
        let f = Self.figures(run)
        Self.checkRounding(f)
        let record = try app.store.modelVersion(2)
        let holdout = try #require(record.holdout)
        let expected: [String: Double] = [
            "holdout.accuracy": holdout.accuracy, "holdout.precision": holdout.precision, "holdout.recall": holdout.recall,
            "holdout.f1": holdout.f1, "holdout.brier": holdout.brier, "holdout.log_loss": holdout.logLoss,
            "holdout.base_rate": holdout.baseRate, "holdout.lift": holdout.lift, "holdout.combined_score": holdout.combinedScore,
            "holdout.n": Double(record.nHoldout), "train.n": Double(record.nTrain),
        ]
        for (key, value) in expected { #expect(f[key]?.value == value, "\(key)") }
        #expect(abs((f["holdout.auc"]?.value ?? -1) - holdout.auc) < 1e-12)
        #expect(abs((f["holdout.auc"]?.value ?? -1) - second.candidateAUC) < 1e-12)
        // The models compared: each CV AUC as the run stored it.
        let evaluations = try JSONDecoder().decode([ModelEvaluation].self, from: Data(record.cvMetrics.utf8))
        for e in evaluations {
            #expect(f["model.\(e.algorithm.displayName).cv_auc"]?.value == e.cvAUC, "\(e.algorithm)")
        }
        // Production's curve on the same rows, and the test against it.
        let scores = try #require(try app.store.holdoutScores(2))
        #expect(scores.production?.version == 1 && scores.labels.count == record.nHoldout)
        #expect(run.contains("production v1 AUC") && run.contains("Paired DeLong test against production v1"))
        #expect(run.contains("data-chart=\"bars\"") && run.contains("class=\"bar\""))
        // The score distribution's threshold is the version's take threshold (0: it takes every signal).
        #expect(run.contains("class=\"threshold\" data-value=\"\(record.takeThreshold ?? 0)\""))

        let history = try String(contentsOfFile: written[0], encoding: .utf8)
        let h = Self.figures(history)
        Self.checkRounding(h)
        let evaluation = try #require(try app.store.evaluationRecords().last)
        #expect(h["evaluation.\(evaluation.id).accuracy"]?.value == 0.65)
        #expect(h["evaluation.\(evaluation.id).success_rate"]?.value == 0.4)
        #expect(h["evaluation.\(evaluation.id).auc"]?.value == 0.54)
        // The accuracy interval is Wilson's for 39 of 60.
        let wilson = Wilson.interval(successes: 39, n: 60)
        #expect(history.contains("value=\"0.65\" data-key=\"evaluation.\(evaluation.id).accuracy\" data-lower=\"\(wilson.lower)\" data-upper=\"\(wilson.upper)\""))
        #expect(history.contains("class=\"threshold\" data-value=\"\(app.config.triggers.accuracy)\""))
        for v in [1, 2] {
            let auc = try #require(try HTMLReports.productionAUC(store: app.store, record: try app.store.modelVersion(v)))
            #expect(h["run.\(v).auc"]?.value == auc.estimate)
        }
        #expect(history.contains("data-chart=\"timeline\"") && history.contains("class=\"span\""))
    }

    @Test func statusJSONRoundTripsThroughItsDocumentedSchema() throws {
        let app = try Self.oneVersionApp()
        try app.store.insertEvaluation(modelVersion: 1, windowStart: "2026-03-01", windowEnd: "2026-03-31", n: 10, accuracy: 0.5,
                                       auc: 0.5, precision: 0, recall: 0, f1: 0, combined: 0.2, successRate: 0.3, details: #"{"labeled_in_window":12}"#)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let status = try DaemonStatus.read(app: app, now: now)
        #expect(status.production?.version == 1 && status.production?.noDemonstratedSkill == true)
        #expect(status.lastEvaluation?.labeledInWindow == 12 && status.nextRuns.map(\.job.rawValue) == ["daily", "weekly", "monthly"])
        #expect(status.nextRuns[0].at.hasSuffix("+05:30"))
        #expect(status.text.contains("no demonstrated skill") && status.text.contains("next runs (Asia/Kolkata)"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(status)
        #expect(try JSONDecoder().decode(DaemonStatus.self, from: data) == status)
        let schema = try JSONValue.parse(Data(contentsOf: TestSupport.root.appendingPathComponent("docs/status.schema.json")))
        func check(_ data: Data) throws -> [String] {
            var problems: [String] = []
            SchemaCheck.validate(try JSONValue.parse(data), against: schema, root: schema, at: "$", problems: &problems)
            return problems
        }
        let found = try check(data)
        #expect(found.isEmpty, "\(found)")
        // An empty store too (no production, no evaluation, no decision).
        let empty = try encoder.encode(try DaemonStatus.read(app: try TestSupport.app(), now: now))
        let foundEmpty = try check(empty)
        #expect(foundEmpty.isEmpty, "\(foundEmpty)")
        // The check itself refuses what the schema forbids: an unknown key and a missing one.
        var bad = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        bad["unexpected"] = 1
        bad.removeValue(forKey: "signals")
        let problems = try check(try JSONSerialization.data(withJSONObject: bad))
        #expect(problems.count == 2, "\(problems)")
    }

    @Test(.enabled(if: PrometheusPython.interpreter != nil, "needs Python with prometheus_client: pip could not install it into .build/prometheus-venv (set IMPROVEMENTD_PYTHON to an interpreter that has it)"))
    func theMetricsTextfileParsesWithPrometheusOwnParser() throws {
        let dir = TestSupport.scratch()
        let app = try Self.oneVersionApp(textfileDir: dir.path)
        let report = TriggerReport(triggers: [
            TriggerResult(name: .accuracy, value: 0.55, threshold: 0.6, n: 60, fired: true, trusted: true),
            TriggerResult(name: .schedule, value: nil, threshold: 30, n: 0, fired: false, trusted: true),
        ], metrics: nil, firedTriggers: [.accuracy])
        _ = try app.store.insertDecision(job: "weekly", triggers: String(decoding: try JSONEncoder().encode(report), as: UTF8.self),
                                         action: "retrain", reason: "fired: accuracy", result: "kept v1", modelVersion: 1)
        _ = try app.store.beginJob("weekly", period: "2026-W01")
        try app.store.finishJob("weekly", period: "2026-W01", succeeded: true, detail: "ok")
        let path = try #require(try MetricsTextfile.write(app: app))
        #expect(path == dir.appendingPathComponent("improvementd.prom").path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp") }.isEmpty)
        let script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = {}
            for family in text_string_to_metric_families(open(sys.argv[1]).read()):
                for s in family.samples:
                    key = s.name + "".join("|%s=%s" % kv for kv in sorted(s.labels.items()))
                    out[key] = [family.type, s.value]
            print(json.dumps(out))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PrometheusPython.interpreter!)
        process.arguments = ["-c", script, path]
        let pipe = Pipe(), err = Pipe()
        process.standardOutput = pipe
        process.standardError = err
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(errors)")
        let samples = try #require(try JSONValue.parse(output).object)
        func value(_ key: String) -> Double? {
            if case .array(let a) = samples[key], a.count == 2, case .number(let v) = a[1] { return v }
            return nil
        }
        func type(_ key: String) -> String? {
            if case .array(let a) = samples[key], let first = a.first { return first.string }
            return nil
        }
        #expect(value("improvementd_production_version") == 1)
        #expect(value("improvementd_trigger_value|trigger=accuracy") == 0.55)
        #expect(value("improvementd_trigger_fired|trigger=accuracy") == 1 && value("improvementd_trigger_fired|trigger=schedule") == 0)
        #expect(value("improvementd_trigger_threshold|trigger=schedule") == 30)
        #expect(samples["improvementd_trigger_value|trigger=schedule"] == nil) // no value: no sample, never NaN
        #expect(value("improvementd_decisions_total|action=retrain") == 1)
        #expect(type("improvementd_decisions_total|action=retrain") == "counter")
        #expect(value("improvementd_job_runs_total|job=weekly|status=succeeded") == 1)
        #expect(value("improvementd_job_last_success|job=weekly") == 1)
        #expect(value("improvementd_production_no_demonstrated_skill") == 1)
        #expect(value("improvementd_signals_pending") == 0)
        #expect(type("improvementd_production_holdout_auc") == "gauge")
    }
}

/// Finds or makes a Python with `prometheus_client`: IMPROVEMENTD_PYTHON, the test venv of
/// scripts/test.sh, python3, else a venv made here with pip (nil when pip cannot install it).
enum PrometheusPython {
    static let interpreter: String? = {
        func has(_ python: String) -> Bool {
            guard FileManager.default.isExecutableFile(atPath: python) || python == "/usr/bin/env" else { return false }
            return run(python, ["-c", "import prometheus_client"]) == 0
        }
        var candidates = [TestSupport.root.appendingPathComponent(".build/python-venv/bin/python").path,
                          TestSupport.root.appendingPathComponent(".build/prometheus-venv/bin/python").path, "/usr/bin/python3"]
        if let own = ProcessInfo.processInfo.environment["IMPROVEMENTD_PYTHON"] { candidates.insert(own, at: 0) }
        if let found = candidates.first(where: has) { return found }
        let venv = TestSupport.root.appendingPathComponent(".build/prometheus-venv").path
        guard run("/usr/bin/python3", ["-m", "venv", venv]) == 0,
              run(venv + "/bin/pip", ["install", "--quiet", "prometheus_client"]) == 0 else { return nil }
        return has(venv + "/bin/python") ? venv + "/bin/python" : nil
    }()

    static func run(_ executable: String, _ arguments: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}

/// A JSON document as decoded (booleans and numbers kept apart, as JSON has them).
indirect enum JSONValue: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    static func parse(_ data: Data) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: data) }

    var object: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
    var string: String? { if case .string(let s) = self { s } else { nil } }
    var strings: [String]? { if case .array(let a) = self { a.compactMap(\.string) } else { nil } }
}

/// The part of JSON Schema that docs/status.schema.json uses: type (a name or a list, "null"
/// among them), properties, required, additionalProperties false, items, $ref to #/$defs/….
enum SchemaCheck {
    static func validate(_ value: JSONValue, against schema: JSONValue, root: JSONValue, at path: String, problems: inout [String]) {
        guard let s = schema.object else { return }
        if let ref = s["$ref"]?.string, ref.hasPrefix("#/$defs/"), let target = root.object?["$defs"]?.object?[String(ref.dropFirst(8))] {
            validate(value, against: target, root: root, at: path, problems: &problems)
            return
        }
        let types = s["type"]?.strings ?? s["type"]?.string.map { [$0] } ?? []
        if !types.isEmpty && !types.contains(where: { matches(value, $0) }) {
            problems.append("\(path): \(value) is not \(types)")
            return
        }
        if case .object(let object) = value {
            let properties = s["properties"]?.object ?? [:]
            for key in s["required"]?.strings ?? [] where object[key] == nil { problems.append("\(path): missing \(key)") }
            for (key, v) in object.sorted(by: { $0.key < $1.key }) {
                if let p = properties[key] {
                    validate(v, against: p, root: root, at: "\(path).\(key)", problems: &problems)
                } else if s["additionalProperties"] == .bool(false) {
                    problems.append("\(path): \(key) is not in the schema")
                }
            }
        }
        if case .array(let array) = value, let items = s["items"] {
            for (i, v) in array.enumerated() { validate(v, against: items, root: root, at: "\(path)[\(i)]", problems: &problems) }
        }
    }

    static func matches(_ value: JSONValue, _ type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("number", .number): return true
        case ("integer", .number(let n)): return n == n.rounded()
        default: return false
        }
    }
}
