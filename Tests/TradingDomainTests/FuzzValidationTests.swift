import Foundation
import FuzzSupport
import Testing
@testable import TradingDomain

/// Seeded mutations of the real bundled files through the pure validators (docs/TESTING.md,
/// "Fuzzed imports"): no crash, no hang, every rejection located, every accepted row valid.
// On the main actor: these tests block for tens of seconds, and on the cooperative pool (two
// threads here) they would stall every other suite's timers.
@MainActor @Suite struct FuzzValidationTests {
    /// The validators' kinds, each with its share of the CI total of fuzzed inputs.
    enum Kind: String, CaseIterable {
        case bars, signalsCSV, signalsJSONL, symbols, events, external
        var share: Double {
            switch self {
            // 98 % here, 2.3 % in FuzzImportTests: 100,300 inputs in CI.
            case .bars: 0.34
            case .signalsCSV: 0.19
            case .signalsJSONL: 0.15
            case .symbols: 0.11
            case .events: 0.095
            case .external: 0.095
            }
        }
    }

    /// What one validator call returned, reduced to what the properties check.
    struct Outcome: Sendable {
        var errors: [InputError] = []
        var accepted = 0
        var problems: [String] = []
    }

    /// 1 per data line plus the header, an upper bound for any line number an error may name.
    nonisolated static func lineCount(_ data: Data) -> Int { data.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) } + 1 }

    nonisolated static func validate(_ kind: Kind, _ data: Data, file: String) -> Outcome {
        var out = Outcome()
        if kind == .signalsJSONL {
            let v = SignalInput.validateJSONLines(data, file: file)
            out.errors = v.errors
            out.accepted = v.items.count
            out.problems += checkSignals(v.items)
            if v.errors.isEmpty && v.items.isEmpty { out.problems.append("nothing accepted and no error") }
            return out
        }
        let table: CSVTable
        do { table = try CSVTable.parse(data, file: file) } catch {
            out.errors = [error]
            return out
        }
        func take<T>(_ v: Validated<T>, _ check: ([T]) -> [String]) {
            out.errors = v.errors
            out.accepted = v.items.count
            out.problems += check(v.items)
            if v.errors.isEmpty && v.items.count != table.rows.count { out.problems.append("\(table.rows.count) rows, \(v.items.count) accepted, no error") }
            if v.rejected.count > v.errors.count { out.problems.append("more rejected rows than errors") }
        }
        switch kind {
        case .bars: take(BarInput.validate(table, file: file, defaultSymbol: "FUZZ"), checkBars)
        case .signalsCSV: take(SignalInput.validate(table, file: file), checkSignals)
        case .symbols: take(ReferenceInput.symbols(table, file: file)) { items in
            Set(items.map(\.symbol)).count == items.count ? [] : ["duplicate symbol accepted"]
        }
        case .events: take(ReferenceInput.events(table, file: file)) { items in
            items.compactMap { $0.symbol.isEmpty || $0.kind.isEmpty ? "empty event field accepted" : nil }
        }
        case .external: take(ReferenceInput.external(table, file: file)) { items in
            items.compactMap { $0.value.isFinite && !$0.name.isEmpty ? nil : "external \($0.name)=\($0.value) accepted" }
        }
        case .signalsJSONL: break
        }
        return out
    }

    /// The OHLC rules README.md ("Importing") states, on every accepted bar.
    nonisolated static func checkBars(_ rows: [BarInput.Row]) -> [String] {
        var problems: [String] = [], seen = Set<String>()
        for r in rows {
            let b = r.bar
            let prices = [b.open, b.high, b.low, b.close]
            if !prices.allSatisfy({ $0.isFinite && $0 > 0 }) || !b.volume.isFinite || b.volume < 0
                || b.high < max(b.open, b.close) || b.low > min(b.open, b.close) {
                problems.append("bar \(r.symbol) \(b.day.iso) accepted: \(prices) volume \(b.volume)")
            }
            if !seen.insert("\(r.symbol)|\(b.day.number)").inserted { problems.append("duplicate bar \(r.symbol) \(b.day.iso) accepted") }
        }
        return problems
    }

    /// The signal rules README.md ("Importing") states, on every accepted signal.
    nonisolated static func checkSignals(_ signals: [Signal]) -> [String] {
        var problems: [String] = [], seen = Set<String>()
        for s in signals {
            var ok = s.entryPrice.isFinite && s.entryPrice > 0 && !s.id.isEmpty && !s.symbol.isEmpty && !s.strategy.isEmpty
            if let t = s.targetPrice { ok = ok && t.isFinite && (s.type == .buy ? t > s.entryPrice : t < s.entryPrice) }
            if let st = s.stopLoss { ok = ok && st.isFinite && st > 0 && (s.type == .buy ? st < s.entryPrice : st > s.entryPrice) }
            if let c = s.confidence { ok = ok && (0...1).contains(c) }
            ok = ok && (DateTimeText.day(of: s.createdAt).map { $0 <= s.entryDate } ?? false)
            if !ok { problems.append("signal \(s.id) accepted: \(s)") }
            if !seen.insert(s.id).inserted { problems.append("duplicate signal \(s.id) accepted") }
        }
        return problems
    }

    nonisolated static func base(_ kind: Kind, _ m: inout Mutator) -> Data {
        let corpus = FuzzCorpus.shared
        switch kind {
        case .bars: return m.slice(m.random.pick(corpus.bars).lines, lines: 20...120)
        case .signalsCSV: return m.slice(corpus.signalsCSV, lines: 20...100)
        case .signalsJSONL: return m.slice(corpus.signalsJSONL, lines: 20...100)
        case .symbols: return m.slice(corpus.symbols, lines: 3...12)
        case .events: return m.slice(corpus.events, lines: 20...100)
        case .external: return m.slice(corpus.external, lines: 20...150)
        }
    }

    @Test(arguments: Kind.allCases)
    func mutatedRealFilesNeverCrashHangOrGoUnlocated(kind: Kind) throws {
        let count = FuzzCorpus.inputs(share: kind.share)
        let seed = FuzzCorpus.seed(UInt64(Kind.allCases.firstIndex(of: kind)!) &* 0x1000_0001)
        var mutator = Mutator(seed: seed)
        let file = "fuzz-\(kind.rawValue).csv"
        let start = Date()
        var rejected = 0, accepted = 0, failures = 0
        var slowest = 0.0
        for i in 0..<count {
            let input = Self.base(kind, &mutator)
            // One in ten inputs stays unmutated, so the accepting path is exercised too.
            let (data, mutations) = i % 10 == 0 ? (input, []) : mutator.mutate(input)
            let box = Box<Outcome>()
            let t0 = Date()
            // 2 s per call: the validators take well under 10 ms on these inputs in a debug build.
            let finished = finishes(within: 2) { box.value = Self.validate(kind, data, file: file) }
            slowest = max(slowest, Date().timeIntervalSince(t0))
            guard finished, let outcome = box.value else {
                Issue.record("seed \(seed) input \(i) (\(mutations)) hung for more than 2 s")
                return
            }
            var problems = outcome.problems
            let lines = Self.lineCount(data)
            for e in outcome.errors where e.file != file || e.line < 1 || e.line > lines || e.reason.isEmpty {
                problems.append("error not located in 1...\(lines): \(e)")
            }
            if outcome.errors.isEmpty { accepted += 1 } else { rejected += 1 }
            if !problems.isEmpty {
                failures += 1
                if failures <= 5 {
                    Issue.record("seed \(seed) input \(i) (\(mutations)): \(problems.prefix(3).joined(separator: "; "))\n\(String(decoding: data.prefix(600), as: UTF8.self))")
                }
            }
        }
        let seconds = Date().timeIntervalSince(start)
        print("fuzz \(kind.rawValue): \(count) inputs (seed \(seed)), \(rejected) rejected, \(accepted) accepted, \(String(format: "%.1f", seconds)) s, slowest \(String(format: "%.3f", slowest)) s")
        #expect(failures == 0)
        if count >= 100 {
            #expect(rejected > count / 4 && accepted > count / 20, "the mutations must reach both the accepting and the rejecting paths")
        }
    }
}
