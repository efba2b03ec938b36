import Testing
@testable import Learning

@Suite struct TimeSplitTests {
    /// 500 rows in shuffled order, several per day, label windows of 1-30 days.
    static func days(seed: UInt64 = 5, rows: Int = 500) -> (entry: [Int], exit: [Int]) {
        var rng = SplitMix64(seed: seed)
        let entry = (0..<rows).map { _ in 1000 + rng.nextInt(below: 400) }
        let exit = entry.map { $0 + 1 + rng.nextInt(below: 30) }
        return (entry, exit)
    }

    @Test func holdoutIsTheLastFifthAndTrainIsPurged() throws {
        let (entry, exit) = Self.days()
        let split = try TimeSplit.holdout(entry: entry, exit: exit, fraction: 0.2)
        #expect(split.holdout.count == 100)
        #expect(Set(split.train + split.holdout + split.purged).count == entry.count)
        let start = split.holdoutStart
        #expect(start == split.holdout.map { entry[$0] }.min())
        // No training label window reaches the holdout.
        #expect(split.train.allSatisfy { exit[$0] < start })
        #expect(split.train.allSatisfy { entry[$0] <= start })
        // The purge did drop rows, and only rows whose window reaches the holdout.
        #expect(!split.purged.isEmpty)
        #expect(split.purged.allSatisfy { exit[$0] >= start })
        // Indices come back in time order.
        #expect(split.train.map { entry[$0] } == split.train.map { entry[$0] }.sorted())
        #expect(split.holdout.map { entry[$0] } == split.holdout.map { entry[$0] }.sorted())
    }

    @Test func walkForwardFoldsAreTimeOrderedAndPurged() throws {
        let (entry, exit) = Self.days()
        let split = try TimeSplit.holdout(entry: entry, exit: exit)
        let folds = try TimeSplit.walkForward(rows: split.train, entry: entry, exit: exit, folds: 4)
        #expect(folds.count == 4)
        var previousTrain = 0
        var previousValidationEnd = Int.min
        for fold in folds {
            let start = fold.validation.map { entry[$0] }.min()!
            #expect(fold.train.allSatisfy { exit[$0] < start })
            #expect(fold.purged.allSatisfy { exit[$0] >= start })
            #expect(fold.validation.allSatisfy { exit[$0] < split.holdoutStart })
            #expect(fold.train.count > previousTrain) // expanding window
            #expect(start >= previousValidationEnd) // validation blocks follow each other
            previousTrain = fold.train.count
            previousValidationEnd = fold.validation.map { entry[$0] }.max()!
            #expect(Set(fold.train).isDisjoint(with: fold.validation))
        }
    }

    @Test func rejectsBadInput() {
        #expect(throws: LearningError.self) { try TimeSplit.holdout(entry: [1, 2], exit: [3]) }
        #expect(throws: LearningError.self) { try TimeSplit.holdout(entry: [5, 6], exit: [4, 7]) }
        #expect(throws: LearningError.self) { try TimeSplit.walkForward(rows: [0, 1], entry: [1, 2], exit: [1, 2], folds: 4) }
    }
}
