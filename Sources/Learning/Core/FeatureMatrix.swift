/// A dense, row-major matrix of feature values: one row per signal, one column per feature.
///
/// Missing values are `NaN` (never 0). Infinite values are treated as missing by every model.
/// Column names travel with the matrix and are recorded in trained models.
public struct FeatureMatrix: Sendable, Equatable {
    /// Number of rows (samples).
    public let rows: Int
    /// Number of columns (features).
    public let cols: Int
    /// `rows * cols` values, row after row.
    public private(set) var values: [Double]
    /// One name per column.
    public let columnNames: [String]

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
        self.values = values
        self.columnNames = names
    }

    /// Creates a matrix from an array of equally long rows.
    public init(rowArrays: [[Double]], columnNames: [String]? = nil) throws {
        let cols = rowArrays.first?.count ?? (columnNames?.count ?? 0)
        guard rowArrays.allSatisfy({ $0.count == cols }) else {
            throw LearningError(.shapeMismatch, "rows have different lengths")
        }
        try self.init(rows: rowArrays.count, cols: cols, values: rowArrays.flatMap { $0 }, columnNames: columnNames)
    }

    /// The value at row `r`, column `c`.
    public subscript(r: Int, c: Int) -> Double {
        get { values[r * cols + c] }
        set { values[r * cols + c] = newValue }
    }

    /// One row as an array.
    public func row(_ r: Int) -> ArraySlice<Double> { values[(r * cols)..<((r + 1) * cols)] }

    /// A new matrix holding the given rows, in the given order.
    public func selecting(rows indices: [Int]) -> FeatureMatrix {
        var out = [Double]()
        out.reserveCapacity(indices.count * cols)
        for r in indices { out.append(contentsOf: row(r)) }
        // Sizes are consistent by construction.
        return try! FeatureMatrix(rows: indices.count, cols: cols, values: out, columnNames: columnNames)
    }

    /// The values as `Float`, with non-finite values mapped to NaN (XGBoost's missing marker).
    func floatValues() -> [Float] {
        values.map { $0.isFinite ? Float($0) : .nan }
    }
}
