import Foundation
import Testing
@testable import Learning
@testable import UseCases
import Store

/// Training on views of the one training matrix (row index lists, no copies) against training
/// on copies of the same rows, on the real bundled data (issue 15): the same artifact bytes and
/// the same probabilities, bit for bit.
@Suite struct MatrixViewTests {
    /// The last walk-forward fold of the bundled data's purged training part, as a view and as a
    /// copy of its rows (what `selecting(rows:)` returned before views), with its labels.
    private static func fold() throws -> (view: FeatureMatrix, copy: FeatureMatrix, y: [Int], validView: FeatureMatrix, validCopy: FeatureMatrix) {
        let app = try TestSupport.realApp(environment: TestSupport.quickTraining)
        let data = try app.training.dataset(features: try app.features.compute())
        let split = try TimeSplit.holdout(entry: data.entryDays, exit: data.exitDays, fraction: 0.2)
        let fold = try #require(try TimeSplit.walkForward(rows: split.train, entry: data.entryDays, exit: data.exitDays, folds: 4).last)
        let view = data.x.selecting(rows: fold.train), validView = data.x.selecting(rows: fold.validation)
        var copyValues = [Double](), validValues = [Double]()
        for r in fold.train { copyValues += (0..<data.x.cols).map { data.x[r, $0] } }
        for r in fold.validation { validValues += (0..<data.x.cols).map { data.x[r, $0] } }
        let copy = try FeatureMatrix(rows: fold.train.count, cols: data.x.cols, values: copyValues, columnNames: data.x.columnNames)
        let validCopy = try FeatureMatrix(rows: fold.validation.count, cols: data.x.cols, values: validValues, columnNames: data.x.columnNames)
        return (view, copy, fold.train.map { data.labels[$0] }, validView, validCopy)
    }

    @Test func viewsReadTheValuesOfCopies() throws {
        let f = try Self.fold()
        #expect(f.view.isView && !f.copy.isView)
        #expect(f.view.rows > 500)
        #expect(f.view.rows == f.copy.rows && f.view.columnNames == f.copy.columnNames)
        #expect(f.view.values.elementsEqual(f.copy.values) { $0.bitPattern == $1.bitPattern })
        #expect(f.view.floatValues().elementsEqual(f.copy.floatValues()) { $0.bitPattern == $1.bitPattern })
        // A view of a view reads through both index lists.
        let rows = Array(stride(from: f.view.rows - 1, through: 0, by: -7))
        let twice = f.view.selecting(rows: rows), once = f.copy.selecting(rows: rows)
        #expect(twice.values.elementsEqual(once.materialized().values) { $0.bitPattern == $1.bitPattern })
        // Writing into a view leaves the matrix it was made from as it was.
        var written = f.view
        let before = f.view[0, 0]
        written[0, 0] = 12345
        #expect(written[0, 0] == 12345 && !written.isView)
        #expect(f.view[0, 0].bitPattern == before.bitPattern)
    }

    @Test func everyModelFitsAViewToTheBytesOfACopy() throws {
        let f = try Self.fold()
        for algorithm in Algorithm.baseCases {
            let onView = Classifiers.make(algorithm), onCopy = Classifiers.make(algorithm)
            try onView.fit(f.view, y: f.y, seed: 11)
            try onCopy.fit(f.copy, y: f.y, seed: 11)
            #expect(try onView.serialize() == onCopy.serialize(), "\(algorithm)")
            let a = try onView.predictProbabilities(f.validView), b = try onCopy.predictProbabilities(f.validCopy)
            #expect(a.elementsEqual(b) { $0.bitPattern == $1.bitPattern }, "\(algorithm)")
        }
    }

    /// liblinear's nodes are filled from the matrix directly: the same values as from the
    /// standardized copy they were filled from before.
    @Test func linearNodesFromTheMatrixEqualNodesFromTheStandardizedCopy() throws {
        let f = try Self.fold()
        let prep = Preprocessor(fitting: f.view, standardize: true)
        let direct = NodeBuffer<(Int32, Double)>(matrix: f.view, preprocessor: prep, bias: true) { ($0, $1) }
        let viaCopy = NodeBuffer<(Int32, Double)>(values: prep.transform(f.copy), rowCount: f.copy.rows, cols: f.copy.cols, bias: true) { ($0, $1) }
        let width = f.view.cols + 2
        for i in 0..<(f.view.rows * width) {
            #expect(direct.nodes[i].0 == viaCopy.nodes[i].0 && direct.nodes[i].1.bitPattern == viaCopy.nodes[i].1.bitPattern)
        }
    }

    /// The SVM's row cap: the most recent rows when they hold both classes; otherwise the
    /// most recent rows of the missing class replace the oldest of them.
    @Test func svmRowCapKeepsBothClasses() throws {
        let mixed = (0..<5000).map { $0 % 3 == 0 ? 1 : 0 }
        #expect(SVMClassifier.cappedRows(mixed, cap: 3000).rows == Array(2000..<5000))
        #expect(SVMClassifier.cappedRows(mixed, cap: 6000).rows == Array(0..<5000))
        // The 3000 most recent rows all fail (as when thousands of symbols share their last dates).
        let tail = (0..<5000).map { $0 < 2000 ? $0 % 2 : 0 }
        let (rows, note) = SVMClassifier.cappedRows(tail, cap: 3000)
        #expect(rows.count == 3000 && rows == rows.sorted() && Set(rows).count == 3000)
        #expect(Set(rows.map { tail[$0] }) == [0, 1])
        let ones = rows.filter { tail[$0] == 1 }
        #expect(ones.count == 600) // 1000 of 5000 rows are successes: a fifth of 3000
        #expect(ones == Array(stride(from: 1, to: 2000, by: 2).suffix(600)))
        #expect(rows.suffix(2400) == ArraySlice(2600..<5000))
        #expect(note?.contains("held one class") == true)
        // And the fit itself then trains instead of failing.
        let x = try FeatureMatrix(rows: 5000, cols: 2, values: (0..<10000).map { Double(($0 * 7919) % 101) / 101 })
        let svm = SVMClassifier()
        try svm.fit(x, y: tail, seed: 1)
        #expect(svm.isFitted)
    }
}
