import Foundation

/// The real bundled input files the fuzz tests mutate, plus signal, event and external files
/// derived from the real bars (entry on a real day at its real close), all as text.
public struct FuzzCorpus: Sendable {
    /// The package root, found from this file's path.
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("package root not found above \(#filePath)")
    }()

    /// A file split once into its header (nil for JSON Lines) and data lines, so slicing is cheap.
    public struct Lines: Sendable {
        public var header: String?
        public var body: [[UInt8]]

        init(_ text: String, header hasHeader: Bool = true) {
            var lines = text.split(separator: "\n").map(String.init)
            header = hasHeader && !lines.isEmpty ? lines.removeFirst() : nil
            body = lines.map { Array($0.utf8) }
        }
    }

    /// Bars files by symbol (`examples/data/ohlcv/*.csv`).
    public var bars: [(symbol: String, text: String, lines: Lines)]
    public var symbols: Lines
    public var signalsCSV: Lines
    public var signalsJSONL: Lines
    public var events: Lines
    public var external: Lines

    public static let shared = FuzzCorpus()

    /// How many inputs a fuzz test runs: `IMPROVEMENTD_FUZZ_INPUTS` scales the CI default
    /// (docs/TESTING.md); `share` is this test's part of the total.
    public static func inputs(share: Double, ciTotal: Int = 100_000) -> Int {
        let total = ProcessInfo.processInfo.environment["IMPROVEMENTD_FUZZ_INPUTS"].flatMap(Int.init) ?? ciTotal
        return max(1, Int(Double(total) * share))
    }

    /// The seed: `IMPROVEMENTD_FUZZ_SEED` when set, else a fixed default, so CI is reproducible.
    public static func seed(_ salt: UInt64) -> UInt64 {
        (ProcessInfo.processInfo.environment["IMPROVEMENTD_FUZZ_SEED"].flatMap(UInt64.init) ?? 20_261_201) ^ salt
    }

    init() {
        let dir = Self.root.appendingPathComponent("examples/data/ohlcv")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".csv") }.sorted()
        bars = names.map {
            let text = try! String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8)
            return (String($0.dropLast(4)), text, Lines(text))
        }
        symbols = Lines(try! String(contentsOf: Self.root.appendingPathComponent("examples/data/symbols.csv"), encoding: .utf8))
        var csv = "signal_id,symbol,strategy,signal_type,entry_date,entry_price,target_price,stop_loss,confidence,created_at,rsi\n"
        var jsonl = ""
        var events = "symbol,date,kind\n"
        var external = "symbol,date,name,value\n"
        let kinds = ["results", "dividend", "split", "bonus", "agm"]
        var n = 0
        for (symbol, text, _) in bars where symbol != "^NSEI" {
            for line in text.split(separator: "\n").dropFirst().enumerated() where line.offset % 7 == 0 {
                let f = line.element.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                guard f.count == 6, let close = Double(f[4]) else { continue }
                n += 1
                let sell = n % 3 == 0
                let target = sell ? close * 0.95 : close * 1.05, stop = sell ? close * 1.03 : close * 0.97
                let conf = Double(n % 100) / 100
                let id = "\(symbol.lowercased())-\(f[0])-\(n)"
                let type = sell ? "SELL" : "BUY"
                csv += "\(id),\(symbol),momentum,\(type),\(f[0]),\(close),\(target),\(stop),\(conf),\(f[0])T09:15:00+05:30,\(n % 90)\n"
                jsonl += #"{"signal_id":"\#(id)","symbol":"\#(symbol)","strategy":"breakout","signal_type":"\#(type)","entry_date":"\#(f[0])","entry_price":\#(close),"target_price":\#(target),"stop_loss":\#(stop),"confidence":\#(conf),"created_at":"\#(f[0])","tags":["a",1]}"# + "\n"
                if n % 5 == 0 { events += "\(symbol),\(f[0]),\(kinds[n % kinds.count])\n" }
                external += "\(symbol),\(f[0]),india_vix,\(12 + Double(n % 170) / 10)\n"
            }
        }
        signalsCSV = Lines(csv)
        signalsJSONL = Lines(jsonl, header: false)
        self.events = Lines(events)
        self.external = Lines(external)
    }
}

/// Runs `work` on its own thread and waits at most `limit` seconds: false when it did not finish
/// (a hang), in which case the thread is left running and the caller fails the test.
public func finishes(within limit: TimeInterval, _ work: @escaping @Sendable () -> Void) -> Bool {
    let done = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
        work()
        done.signal()
    }
    return done.wait(timeout: .now() + limit) == .success
}

/// A value set on the worker thread and read after `finishes` returned.
public final class Box<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T?
    public init() {}
    public var value: T? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
