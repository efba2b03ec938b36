import Foundation
import GRDB
import ModelMetrics

/// What `improvementd status` shows: row counts, date ranges per symbol, the production model.
public struct StoreStatus: Codable, Sendable {
    public struct SymbolRange: Codable, Sendable {
        public var symbol: String
        public var bars: Int
        public var first: String
        public var last: String
    }

    public struct Production: Codable, Sendable {
        public var version: Int
        public var algorithm: String
        public var createdAt: String
        public var holdoutAUC: Double?
        /// Its 95 % DeLong interval, when stored with the version (absent for older versions).
        public var holdoutAUCInterval: Interval?
    }

    public var path: String
    public var rows: [String: Int]
    public var symbols: [SymbolRange]
    public var production: Production?
    public var labelCounts: [String: Int]
    /// Set when production's artifact cannot be used: what is broken and what scores instead
    /// (filled by the `status` command; absent from the JSON otherwise).
    public var productionFallback: String?
}

extension SignalStore {
    public func status() throws(StoreError) -> StoreStatus {
        let rows = try rowCounts()
        return try read("reading status") { db in
            let ranges = try Row.fetchAll(db, sql: """
                SELECT symbol, COUNT(*), MIN(date), MAX(date) FROM price_bars GROUP BY symbol ORDER BY symbol
                """).map { StoreStatus.SymbolRange(symbol: $0[0], bars: $0[1], first: $0[2], last: $0[3]) }
            var production: StoreStatus.Production?
            if let row = try Row.fetchOne(db, sql: """
                SELECT version, algorithm, created_at, holdout_metrics FROM model_versions
                WHERE status = 'production' ORDER BY version DESC LIMIT 1
                """) {
                // Stored by the training run as encoded `Metrics`; unreadable metrics show no AUC.
                let stored = try? JSONDecoder().decode(StoredHoldout.self, from: Data((row[3] as String).utf8))
                production = .init(version: row[0], algorithm: row[1], createdAt: row[2], holdoutAUC: stored?.metrics.auc,
                                   holdoutAUCInterval: stored?.intervals?.auc)
            }
            var labels: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT CASE WHEN status = 'labeled' THEN (CASE outcome WHEN 1 THEN 'success' ELSE 'failure' END) ELSE status END, COUNT(*)
                FROM outcomes GROUP BY 1
                """) { labels[row[0]] = row[1] }
            return StoreStatus(path: path, rows: rows, symbols: ranges, production: production, labelCounts: labels)
        }
    }
}
