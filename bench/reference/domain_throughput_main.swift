import Foundation
import TradingDomain

func load(_ path: String, symbol: String) -> BarSeries {
    let text = try! String(contentsOfFile: path, encoding: .utf8)
    var bars: [Bar] = []
    for line in text.split(separator: "\n").dropFirst() {
        let f = line.split(separator: ",")
        bars.append(Bar(day: Day(iso: f[0])!, open: Double(f[1])!, high: Double(f[2])!, low: Double(f[3])!, close: Double(f[4])!, volume: Double(f[5])!))
    }
    return BarSeries(symbol: symbol, bars: bars)
}
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
let dir = CommandLine.arguments[1]
let stocks = ["ADANIPOWER", "AUROPHARMA", "BHARATFORG", "BHEL", "INDHOTEL", "MARICO", "OIL", "RVNL", "UPL", "YESBANK"]
let copies = Int(CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : "20")!
var data: [String: BarSeries] = ["^NSEI": load(dir + "^NSEI.csv", symbol: "^NSEI")]
var infos: [String: SymbolInfo] = [:]
for s in stocks {
    let base = load(dir + s + ".csv", symbol: s)
    for k in 0..<copies {
        let sym = "\(s)_\(k)"
        let f = 1 + Double(k) * 0.01
        data[sym] = BarSeries(symbol: sym, bars: base.bars.map { Bar(day: $0.day, open: $0.open * f, high: $0.high * f, low: $0.low * f, close: $0.close * f, volume: $0.volume) })
        infos[sym] = SymbolInfo(symbol: sym, sector: "S\(k % 10)", marketCapCategory: "large")
    }
}
let totalBars = data.values.reduce(0) { $0 + $1.bars.count }
print("symbols \(data.count), bars \(totalBars)")
var t = now()
let signals = BuiltInStrategy.backfill(barsBySymbol: data)
print(String(format: "backfill: %d signals in %.3f s", signals.count, now() - t))
t = now()
let outcomes = TripleBarrier.label(signals, barsBySymbol: data)
print(String(format: "label: %d outcomes in %.3f s (labeled %d)", outcomes.count, now() - t, outcomes.filter { $0.status == .labeled }.count))
t = now()
let engine = FeatureEngine(barsBySymbol: data, symbols: infos, strategyCodes: ["momentum": 0, "mean_reversion": 1, "breakout": 2, "breakdown": 3])
print(String(format: "feature engine build: %.3f s", now() - t))
t = now()
let rows = engine.rows(for: signals)
print(String(format: "feature rows: %d x %d in %.3f s", rows.count, rows.first?.count ?? 0, now() - t))
