/// Median imputation followed by optional standardization, fitted on training rows only.
///
/// Non-finite values are missing. A column that is missing everywhere imputes to 0; a
/// constant column gets scale 1 (it standardizes to 0).
struct Preprocessor: Codable, Sendable, Equatable {
    var medians: [Double]
    var means: [Double]
    var scales: [Double]

    init(fitting x: FeatureMatrix, standardize: Bool) {
        var medians = [Double](repeating: 0, count: x.cols)
        var means = [Double](repeating: 0, count: x.cols)
        var scales = [Double](repeating: 1, count: x.cols)
        var column = [Double]()
        column.reserveCapacity(x.rows)
        for c in 0..<x.cols {
            column.removeAll(keepingCapacity: true)
            for r in 0..<x.rows where x[r, c].isFinite { column.append(x[r, c]) }
            guard !column.isEmpty else { continue }
            column.sort()
            let m = column.count
            medians[c] = m % 2 == 1 ? column[m / 2] : (column[m / 2 - 1] + column[m / 2]) / 2
            guard standardize else { continue }
            var sum = 0.0
            for r in 0..<x.rows { sum += x[r, c].isFinite ? x[r, c] : medians[c] }
            let mean = sum / Double(x.rows)
            var ss = 0.0
            for r in 0..<x.rows {
                let d = (x[r, c].isFinite ? x[r, c] : medians[c]) - mean
                ss += d * d
            }
            let sd = (ss / Double(x.rows)).squareRoot()
            means[c] = mean
            scales[c] = sd > 1e-12 ? sd : 1
        }
        self.medians = medians
        self.means = means
        self.scales = scales
    }

    /// Imputed and scaled values, row-major.
    func transform(_ x: FeatureMatrix) -> [Double] {
        let cols = x.cols
        return [Double](unsafeUninitializedCapacity: x.rows * cols) { out, count in
            x.forEachRow { r, row in
                let base = out.baseAddress! + r * cols
                for c in 0..<cols { (base + c).initialize(to: value(row[c], column: c)) }
            }
            count = x.rows * cols
        }
    }

    /// One value imputed and scaled: what `transform` stores at column `c`.
    @inline(__always)
    func value(_ v: Double, column c: Int) -> Double {
        ((v.isFinite ? v : medians[c]) - means[c]) / scales[c]
    }
}
