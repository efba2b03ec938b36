import GRDB

/// The store's schema as named, append-only migrations. A shipped migration is never edited:
/// changes come as new migrations. Tables and columns are documented in docs/SCHEMA.md.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-core") { db in
            try db.execute(sql: """
                CREATE TABLE symbols (
                    symbol TEXT PRIMARY KEY NOT NULL,
                    name TEXT,
                    sector TEXT,
                    market_cap_category TEXT CHECK (market_cap_category IN ('large', 'mid', 'small')),
                    is_index INTEGER NOT NULL DEFAULT 0,
                    updated_at TEXT NOT NULL
                );
                CREATE TABLE price_bars (
                    symbol TEXT NOT NULL,
                    date TEXT NOT NULL,
                    open REAL NOT NULL CHECK (open > 0),
                    high REAL NOT NULL CHECK (high > 0),
                    low REAL NOT NULL CHECK (low > 0),
                    close REAL NOT NULL CHECK (close > 0),
                    volume REAL NOT NULL CHECK (volume >= 0),
                    PRIMARY KEY (symbol, date)
                ) WITHOUT ROWID;
                CREATE TABLE strategy_codes (
                    strategy TEXT PRIMARY KEY NOT NULL,
                    code INTEGER NOT NULL UNIQUE
                );
                CREATE TABLE signals (
                    signal_id TEXT PRIMARY KEY NOT NULL,
                    symbol TEXT NOT NULL,
                    strategy TEXT NOT NULL,
                    signal_type TEXT NOT NULL DEFAULT 'BUY' CHECK (signal_type IN ('BUY', 'SELL')),
                    entry_date TEXT NOT NULL,
                    entry_price REAL NOT NULL CHECK (entry_price > 0),
                    target_price REAL,
                    stop_loss REAL,
                    confidence REAL CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
                    created_at TEXT NOT NULL,
                    metadata TEXT NOT NULL DEFAULT '{}',
                    source TEXT NOT NULL DEFAULT 'import',
                    imported_at TEXT NOT NULL
                );
                CREATE INDEX signals_entry ON signals(entry_date);
                CREATE INDEX signals_symbol ON signals(symbol, entry_date);
                CREATE TABLE outcomes (
                    signal_id TEXT PRIMARY KEY NOT NULL REFERENCES signals(signal_id) ON DELETE CASCADE,
                    status TEXT NOT NULL CHECK (status IN ('labeled', 'pending', 'expired')),
                    outcome INTEGER CHECK (outcome IN (0, 1)),
                    exit_date TEXT,
                    exit_price REAL,
                    exit_reason TEXT,
                    return_pct REAL,
                    days_held INTEGER,
                    hit_target INTEGER NOT NULL DEFAULT 0,
                    hit_stop INTEGER NOT NULL DEFAULT 0,
                    labeled_at TEXT NOT NULL
                );
                CREATE TABLE feature_schemas (
                    schema_hash TEXT PRIMARY KEY NOT NULL,
                    version INTEGER NOT NULL,
                    names TEXT NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE TABLE features (
                    signal_id TEXT PRIMARY KEY NOT NULL REFERENCES signals(signal_id) ON DELETE CASCADE,
                    schema_hash TEXT NOT NULL REFERENCES feature_schemas(schema_hash),
                    feature_date TEXT,
                    vector BLOB NOT NULL,
                    computed_at TEXT NOT NULL
                );
                CREATE TABLE model_versions (
                    version INTEGER PRIMARY KEY AUTOINCREMENT,
                    algorithm TEXT NOT NULL,
                    hyperparameters TEXT NOT NULL,
                    feature_schema_hash TEXT NOT NULL,
                    data_start TEXT,
                    data_end TEXT,
                    n_train INTEGER NOT NULL,
                    n_holdout INTEGER NOT NULL,
                    seed INTEGER NOT NULL,
                    library_versions TEXT NOT NULL,
                    cv_metrics TEXT NOT NULL,
                    holdout_metrics TEXT NOT NULL,
                    artifact BLOB NOT NULL,
                    artifact_sha256 TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('candidate', 'production', 'rejected', 'retired')),
                    decision_reason TEXT,
                    report_path TEXT,
                    created_at TEXT NOT NULL
                );
                CREATE TABLE promotions (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    version INTEGER NOT NULL REFERENCES model_versions(version),
                    promoted_at TEXT NOT NULL,
                    demoted_at TEXT,
                    reason TEXT NOT NULL
                );
                CREATE TABLE predictions (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    signal_id TEXT NOT NULL REFERENCES signals(signal_id) ON DELETE CASCADE,
                    model_version INTEGER NOT NULL REFERENCES model_versions(version),
                    probability REAL NOT NULL CHECK (probability >= 0 AND probability <= 1),
                    scored_at TEXT NOT NULL,
                    UNIQUE (signal_id, model_version)
                );
                CREATE INDEX predictions_signal ON predictions(signal_id, scored_at);
                CREATE TABLE evaluations (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    evaluated_at TEXT NOT NULL,
                    model_version INTEGER,
                    window_start TEXT NOT NULL,
                    window_end TEXT NOT NULL,
                    n INTEGER NOT NULL,
                    accuracy REAL,
                    auc REAL,
                    precision REAL,
                    recall REAL,
                    f1 REAL,
                    combined_score REAL,
                    success_rate REAL,
                    details TEXT NOT NULL DEFAULT '{}'
                );
                CREATE TABLE decisions (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    decided_at TEXT NOT NULL,
                    job TEXT NOT NULL,
                    triggers TEXT NOT NULL,
                    action TEXT NOT NULL,
                    reason TEXT,
                    result TEXT,
                    model_version INTEGER
                );
                CREATE TABLE job_runs (
                    job TEXT NOT NULL,
                    period TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
                    detail TEXT,
                    PRIMARY KEY (job, period)
                );
                CREATE TABLE events (
                    symbol TEXT NOT NULL,
                    date TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    PRIMARY KEY (symbol, date, kind)
                ) WITHOUT ROWID;
                CREATE TABLE external_features (
                    symbol TEXT NOT NULL,
                    date TEXT NOT NULL,
                    name TEXT NOT NULL,
                    value REAL NOT NULL,
                    PRIMARY KEY (symbol, date, name)
                ) WITHOUT ROWID;
                CREATE TABLE settings (
                    key TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2-model-importance") { db in
            // Feature importance per version (JSON), so each report can measure rank stability.
            try db.execute(sql: "ALTER TABLE model_versions ADD COLUMN importance TEXT")
        }
        migrator.registerMigration("v3-outcome-change-seq") { db in
            // A monotonic number per labeling run that changed the row: "labeled since the last
            // training run" must not depend on clock resolution.
            try db.execute(sql: "ALTER TABLE outcomes ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0")
            try db.execute(sql: "CREATE INDEX outcomes_change_seq ON outcomes(status, change_seq)")
        }
        migrator.registerMigration("v4-blended-probability") { db in
            // The production model's probability blended with the online model's (README.md, "Online model").
            try db.execute(sql: "ALTER TABLE predictions ADD COLUMN blended_probability REAL")
        }
        migrator.registerMigration("v5-dirty-inputs") { db in
            // What changed since each consumer (labels, features) last caught up, so a run
            // recomputes only the signals a change can reach. Every mark takes the next number
            // of `dirty_seq`; a consumer deletes the marks up to the number it read, so a change
            // made while it computed keeps its mark. symbol '*' means every signal. Existing
            // stores start all dirty (one full run).
            let markSignal = """
                UPDATE dirty_seq SET value = value + 1 WHERE id = 1;
                INSERT INTO dirty_signals (consumer, signal_id, seq) VALUES ('labels', NEW.signal_id, (SELECT value FROM dirty_seq WHERE id = 1))
                ON CONFLICT (consumer, signal_id) DO UPDATE SET seq = excluded.seq;
                INSERT INTO dirty_signals (consumer, signal_id, seq) VALUES ('features', NEW.signal_id, (SELECT value FROM dirty_seq WHERE id = 1))
                ON CONFLICT (consumer, signal_id) DO UPDATE SET seq = excluded.seq;
                """
            try db.execute(sql: """
                CREATE TABLE dirty_seq (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
                INSERT INTO dirty_seq (id, value) VALUES (1, 1);
                CREATE TABLE dirty_bars (
                    consumer TEXT NOT NULL,
                    symbol TEXT NOT NULL,
                    from_date TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    PRIMARY KEY (consumer, symbol)
                ) WITHOUT ROWID;
                CREATE TABLE dirty_signals (
                    consumer TEXT NOT NULL,
                    signal_id TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    PRIMARY KEY (consumer, signal_id)
                ) WITHOUT ROWID;
                CREATE INDEX dirty_signals_seq ON dirty_signals(consumer, seq);
                INSERT INTO dirty_bars (consumer, symbol, from_date, seq) VALUES ('labels', '*', '', 1), ('features', '*', '', 1);
                CREATE TRIGGER signals_dirty_insert AFTER INSERT ON signals BEGIN \(markSignal) END;
                CREATE TRIGGER signals_dirty_update AFTER UPDATE ON signals BEGIN \(markSignal) END;
                """)
        }
        migrator.registerMigration("v6-one-production-model") { db in
            try oneProductionModel(db)
        }
        migrator.registerMigration("v7-take-policy") { db in
            // The trading decision per scored signal and each version's rule (README.md, "For
            // trading-system authors"); the view is the latest score per signal, the one to act on.
            try db.execute(sql: """
                ALTER TABLE predictions ADD COLUMN take INTEGER CHECK (take IS NULL OR take IN (0, 1));
                ALTER TABLE predictions ADD COLUMN threshold REAL;
                ALTER TABLE predictions ADD COLUMN size REAL CHECK (size IS NULL OR (size >= 0 AND size <= 1));
                ALTER TABLE model_versions ADD COLUMN take_threshold REAL;
                ALTER TABLE model_versions ADD COLUMN take_policy TEXT;
                CREATE VIEW signal_scores AS
                    SELECT p.signal_id, p.model_version, p.probability, p.blended_probability, p.take, p.threshold, p.size, p.scored_at
                    FROM predictions p
                    WHERE p.id = (SELECT q.id FROM predictions q WHERE q.signal_id = p.signal_id ORDER BY q.scored_at DESC, q.id DESC LIMIT 1);
                """)
        }
        migrator.registerMigration("v8-holdout-scores") { db in
            // Each version's probabilities on its holdout rows with their labels (and
            // production's on the same rows), so a report can draw its ROC and calibration
            // at any later time (README.md, "Reports"). (After v7-take-policy.)
            try db.execute(sql: """
                CREATE TABLE holdout_scores (
                    version INTEGER PRIMARY KEY NOT NULL REFERENCES model_versions(version) ON DELETE CASCADE,
                    scores TEXT NOT NULL
                )
                """)
        }
        migrator.registerMigration("v9-predictions-one-index") { db in
            // Every read of `predictions` looks a signal up by `signal_id` and orders that
            // signal's few rows (one per version): the unique (signal_id, model_version) index
            // serves them all (docs/SCHEMA.md), and a second index on (signal_id, scored_at) was
            // about a third of the time to store 100k predictions. (After v8-holdout-scores.)
            try db.execute(sql: "DROP INDEX IF EXISTS predictions_signal")
        }
        migrator.registerMigration("v10-candidate-scores") { db in
            // The live evidence of the production aggregate (docs/SCHEMA.md, `candidate_scores`):
            // every candidate's probability for each signal, stored when the signal is first
            // scored and never rewritten, so each row judges a fit that never saw its outcome.
            // (After v9-predictions-one-index.)
            try db.execute(sql: """
                CREATE TABLE candidate_scores (
                    signal_id TEXT NOT NULL REFERENCES signals(signal_id) ON DELETE CASCADE,
                    candidate TEXT NOT NULL,
                    model_version INTEGER NOT NULL REFERENCES model_versions(version),
                    probability REAL NOT NULL CHECK (probability >= 0 AND probability <= 1),
                    scored_at TEXT NOT NULL,
                    PRIMARY KEY (signal_id, candidate)
                ) WITHOUT ROWID
                """)
        }
        return migrator
    }

    /// At most one production version, enforced by a partial unique index. Older stores could
    /// hold two production rows (a crash between separate writes, or a race): the highest
    /// version stays production and every other is retired as a demotion would leave it (its
    /// open promotion period closed), with the reason appended to its `decision_reason`.
    static func oneProductionModel(_ db: Database) throws {
        let production = try Int.fetchAll(db, sql: "SELECT version FROM model_versions WHERE status = 'production' ORDER BY version DESC")
        if let kept = production.first {
            let now = SignalStore.timestamp()
            for version in production.dropFirst() {
                let why = "retired by the store upgrade (migration v6-one-production-model): v\(kept) was production too and the highest version stays production"
                try db.execute(sql: """
                    UPDATE model_versions SET status = 'retired',
                        decision_reason = CASE WHEN decision_reason IS NULL OR decision_reason = '' THEN ? ELSE decision_reason || '; ' || ? END
                    WHERE version = ?
                    """, arguments: [why, why, version])
                try db.execute(sql: "UPDATE promotions SET demoted_at = ? WHERE version = ? AND demoted_at IS NULL", arguments: [now, version])
            }
        }
        try db.execute(sql: "CREATE UNIQUE INDEX model_versions_one_production ON model_versions(status) WHERE status = 'production'")
    }
}
