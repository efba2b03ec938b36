import Foundation
@testable import TradingDomain

/// Test-only access to the bundled example data and small builders.
enum TestData {
    /// The package root, found by walking up from this file to `Package.swift`.
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url = url.deletingLastPathComponent()
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    static let ohlcvDirectory = packageRoot.appendingPathComponent("examples/data/ohlcv")
    static let fixtures = packageRoot.appendingPathComponent("Tests/TradingDomainTests/Fixtures")

    /// A tiny CSV loader for the clean example files (`date,open,high,low,close,volume`).
    static func loadSeries(_ symbol: String) throws -> BarSeries {
        let text = try String(contentsOf: ohlcvDirectory.appendingPathComponent("\(symbol).csv"), encoding: .utf8)
        var bars: [Bar] = []
        for line in text.split(separator: "\n").dropFirst() where !line.isEmpty {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            bars.append(Bar(
                day: Day(iso: f[0])!, open: Double(f[1])!, high: Double(f[2])!, low: Double(f[3])!,
                close: Double(f[4])!, volume: Double(f[5])!
            ))
        }
        return BarSeries(symbol: symbol, bars: bars)
    }

    static let stockSymbols = [
        "ADANIPOWER", "AUROPHARMA", "BHARATFORG", "BHEL", "INDHOTEL", "MARICO", "OIL", "RVNL", "UPL", "YESBANK",
    ]

    /// All 10 stocks and `^NSEI`, loaded once.
    static let all: [String: BarSeries] = {
        var out: [String: BarSeries] = [:]
        for s in stockSymbols + ["^NSEI"] { out[s] = try! loadSeries(s) }
        return out
    }()

    /// `symbols.csv`: symbol to (name, industry as sector).
    static func loadSymbols() throws -> [String: SymbolInfo] {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("examples/data/symbols.csv"), encoding: .utf8)
        var out: [String: SymbolInfo] = [:]
        for line in text.split(separator: "\n").dropFirst() where !line.isEmpty {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            out[f[0]] = SymbolInfo(symbol: f[0], name: f[1], sector: f[2])
        }
        return out
    }

    static func day(_ iso: String) -> Day { Day(iso: iso)! }

    static func bar(_ d: Day, _ o: Double, _ h: Double, _ l: Double, _ c: Double, _ v: Double = 1000) -> Bar {
        Bar(day: d, open: o, high: h, low: l, close: c, volume: v)
    }
}

/// Bitwise equality of two rows, NaN equal to NaN with the same payload.
func sameBits(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
}
