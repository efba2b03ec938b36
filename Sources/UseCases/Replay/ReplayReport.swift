import Foundation
import GRDB
import Store
import TradingDomain

/// The files a replay writes in its folder (README.md, "replay"). This minimal version writes
/// `predictions.csv` only; the full report (decisions, models, summary with baselines) replaces it.
public enum ReplayReport {
    /// Writes the outputs of the replay `app` ran from `from` through `through` into `dir`;
    /// returns the summary text.
    public static func write(app: App, from: Day, through: Day, to dir: String) throws -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: app.config.exchangeTimezone) ?? TimeZone(identifier: "UTC")!
        let parser = ISO8601DateFormatter()
        let rows = try app.store.read("reading the replay's predictions") { db in
            try Row.fetchAll(db, sql: """
                SELECT p.signal_id, s.symbol, s.strategy, s.signal_type, s.entry_date, p.scored_at, p.model_version,
                    p.probability, p.blended_probability, o.outcome, o.return_pct
                FROM predictions p JOIN signals s ON s.signal_id = p.signal_id
                LEFT JOIN outcomes o ON o.signal_id = p.signal_id AND o.status = 'labeled'
                ORDER BY p.scored_at, p.signal_id, p.model_version
                """)
        }
        var lines = ["signal_id,symbol,strategy,signal_type,entry_date,scored_on,model_version,probability,blended_probability,outcome,return_pct"]
        for row in rows {
            let scoredAt: String = row[5]
            guard let instant = parser.date(from: scoredAt) else { continue }
            let c = calendar.dateComponents([.year, .month, .day], from: instant)
            guard let day = Day(year: c.year!, month: c.month!, day: c.day!), from <= day, day <= through else { continue }
            let probability: Double = row[7]
            let blended: Double? = row[8], outcome: Int? = row[9], returnPct: Double? = row[10]
            let fields: [String] = [
                row[0], row[1], row[2], row[3], row[4], day.iso, String(row[6] as Int), "\(probability)",
                blended.map { "\($0)" } ?? "", outcome.map(String.init) ?? "", returnPct.map { "\($0)" } ?? "",
            ]
            lines.append(fields.map(csv).joined(separator: ","))
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: (dir as NSString).appendingPathComponent("predictions.csv"), atomically: true, encoding: .utf8)
        return "replay \(from.iso) through \(through.iso): \(lines.count - 1) live predictions\n"
    }

    static func csv(_ field: String) -> String {
        field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }
}
