import Foundation

/// Runs `count` independent jobs on `workers` dedicated threads (never on Swift's cooperative
/// pool) and returns their results in job order, so the outcome does not depend on scheduling.
/// Jobs are taken in index order; put the most expensive first for balance.
enum ParallelWorkers {
    static func map<T>(count: Int, workers: Int, _ job: @escaping @Sendable (Int) -> T) -> [T] {
        guard count > 0 else { return [] }
        let shared = ParallelShared<T>(count)
        let n = max(1, min(workers, count))
        let group = DispatchGroup()
        for w in 0..<n {
            group.enter()
            let thread = Thread {
                while true {
                    let i: Int? = shared.lock.withLock {
                        guard shared.next < count else { return nil }
                        defer { shared.next += 1 }
                        return shared.next
                    }
                    guard let i else { break }
                    let r = job(i)
                    shared.lock.withLock { shared.results[i] = r }
                }
                group.leave()
            }
            thread.name = "improvementd.learning.\(w)"
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
        return shared.results.map { $0! }
    }
}

/// The work queue and result slots shared by the worker threads, guarded by `lock`.
private final class ParallelShared<T>: @unchecked Sendable {
    let lock = NSLock()
    var next = 0
    var results: [T?]
    init(_ n: Int) { results = Array(repeating: nil, count: n) }
}
