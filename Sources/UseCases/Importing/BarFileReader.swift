import Foundation
import TradingDomain

/// Reads and validates the bars files of one import on a second thread, in file order and at
/// most `depth` files ahead of the writer, so parsing one file overlaps writing the one before.
///
/// The writer takes the results in file order, so what is written, counted and reported is
/// what reading the files one after another gave. The reader stops at the first file it cannot
/// read or parse (the import stops there too), and when the writer is done or fails.
final class BarFileReader: @unchecked Sendable {
    typealias Outcome = Result<Validated<BarInput.Row>, any Error>

    private let condition = NSCondition()
    private var ready: [Int: Outcome] = [:]
    private var stopped = false
    private var finished = false
    private let depth: Int

    init(files: [String], depth: Int = 2, read: @escaping @Sendable (String) throws -> Validated<BarInput.Row>) {
        self.depth = depth
        let thread = Thread { [self] in
            for (i, file) in files.enumerated() {
                condition.lock()
                while ready.count >= depth && !stopped { condition.wait() }
                let stop = stopped
                condition.unlock()
                if stop { break }
                let outcome = Outcome { try read(file) }
                condition.lock()
                ready[i] = outcome
                condition.broadcast()
                condition.unlock()
                if case .failure = outcome { break }
            }
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        thread.start()
    }

    /// The result of file `index` (taken in order from 0), waiting for it if need be.
    func take(_ index: Int) throws -> Validated<BarInput.Row> {
        condition.lock()
        while ready[index] == nil { condition.wait() }
        let outcome = ready.removeValue(forKey: index)!
        condition.broadcast()
        condition.unlock()
        return try outcome.get()
    }

    /// Stops the reader and waits until its thread is done with the file it is reading.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while !finished { condition.wait() }
        ready.removeAll()
        condition.unlock()
    }
}
