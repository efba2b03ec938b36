/// A dense, row-major matrix of feature values: one row per signal, one column per feature.
///
/// Missing values are `NaN` (never 0). Infinite values are treated as missing by every model.
/// Column names travel with the matrix and are recorded in trained models.
///
/// `selecting(rows:)` makes a view: the new matrix shares its parent's values and keeps only a
/// list of row indices, so the holdout, the purged training part and every walk-forward fold
/// of a million-row training set cost 8 bytes a row, not a copy of their values (measured:
/// bench/README.md, "Training and scoring at scale"). A view reads exactly the values a copy would hold.
public struct FeatureMatrix: Sendable {
    /// Number of rows (samples).
    public let rows: Int
    /// Number of columns (features).
    public let cols: Int
    /// One name per column.
    public let columnNames: [String]
    /// The row-major values this matrix (or the matrix it is a view of) reads from.
    private var storage: [Double]
    /// Row `r` of this matrix is row `index[r]` of `storage`; nil: row `r` is row `r`.
    private var index: [Int]?

    /// Creates a matrix from row-major values; throws `shapeMismatch` when sizes disagree.
    public init(rows: Int, cols: Int, values: [Double], columnNames: [String]? = nil) throws {
        guard rows >= 0, cols >= 0, values.count == rows * cols else {
            throw LearningError(.shapeMismatch, "matrix of \(rows)x\(cols) needs \(rows * cols) values, got \(values.count)")
        }
        let names = columnNames ?? (0..<cols).map { "f\($0)" }
        guard names.count == cols else {
            throw LearningError(.shapeMismatch, "\(cols) columns but \(names.count) column names")
        }
        self.rows = rows
        self.cols = cols
        self.storage = values
        self.index = nil
        self.columnNames = names
    }

    private init(view storage: [Double], index: [Int], cols: Int, columnNames: [String]) {
        self.rows = index.count
        self.cols = cols
        self.storage = storage
        self.index = index
        self.columnNames = columnNames
    }

    /// Creates a matrix from an array of equally long rows.
    public init(rowArrays: [[Double]], columnNames: [String]? = nil) throws {
        let cols = rowArrays.first?.count ?? (columnNames?.count ?? 0)
        guard rowArrays.allSatisfy({ $0.count == cols }) else {
            throw LearningError(.shapeMismatch, "rows have different lengths")
        }
        try self.init(rows: rowArrays.count, cols: cols, values: rowArrays.flatMap { $0 }, columnNames: columnNames)
    }

    /// `rows * cols` values, row after row (a view's values are gathered into a new array).
    public var values: [Double] {
        guard let index else { return storage }
        var out = [Double]()
        out.reserveCapacity(rows * cols)
        for r in index { out.append(contentsOf: storage[(r * cols)..<((r + 1) * cols)]) }
        return out
    }

    /// Whether this matrix is a view sharing another matrix's values.
    public var isView: Bool { index != nil }

    /// The row of `storage` that row `r` of this matrix reads.
    @inline(__always)
    func storageRow(_ r: Int) -> Int { index.map { $0[r] } ?? r }

    /// The value at row `r`, column `c`. Setting a value of a view first gives the view its own
    /// copy of its rows (the matrix it was made from is never changed).
    public subscript(r: Int, c: Int) -> Double {
        get { storage[storageRow(r) * cols + c] }
        set {
            if index != nil { materialize() }
            storage[r * cols + c] = newValue
        }
    }

    /// One row as an array.
    public func row(_ r: Int) -> ArraySlice<Double> {
        let s = storageRow(r)
        return storage[(s * cols)..<((s + 1) * cols)]
    }

    /// The given rows, in the given order, as a view: the values are shared, not copied.
    public func selecting(rows indices: [Int]) -> FeatureMatrix {
        for r in indices { precondition(r >= 0 && r < rows, "row \(r) out of range 0..<\(rows)") }
        let mapped = index.map { own in indices.map { own[$0] } } ?? indices
        return FeatureMatrix(view: storage, index: mapped, cols: cols, columnNames: columnNames)
    }

    /// The same matrix holding its own values (a copy of a view's rows; itself when not a view).
    public func materialized() -> FeatureMatrix {
        var out = self
        out.materialize()
        return out
    }

    private mutating func materialize() {
        guard index != nil else { return }
        storage = values
        index = nil
    }

    /// Calls `body` with the values of each row in order, read in place (no copy).
    func forEachRow(_ body: (Int, UnsafeBufferPointer<Double>) throws -> Void) rethrows {
        try storage.withUnsafeBufferPointer { all in
            for r in 0..<rows {
                let start = storageRow(r) * cols
                try body(r, UnsafeBufferPointer(rebasing: all[start..<(start + cols)]))
            }
        }
    }

    /// The values as `Float`, with non-finite values mapped to NaN (XGBoost's missing marker).
    func floatValues() -> [Float] {
        let cols = cols
        return [Float](unsafeUninitializedCapacity: rows * cols) { out, count in
            forEachRow { r, row in
                let base = r * cols
                for c in 0..<cols {
                    let v = row[c]
                    (out.baseAddress! + base + c).initialize(to: v.isFinite ? Float(v) : .nan)
                }
            }
            count = rows * cols
        }
    }
}

extension FeatureMatrix: Equatable {
    /// Equal shape, names and values, row by row (a view equals the copy of its rows).
    public static func == (a: FeatureMatrix, b: FeatureMatrix) -> Bool {
        guard a.rows == b.rows, a.cols == b.cols, a.columnNames == b.columnNames else { return false }
        if a.index == nil, b.index == nil { return a.storage == b.storage }
        return a.values == b.values
    }
}
