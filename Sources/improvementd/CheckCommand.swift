import ArgumentParser
import Foundation
import UseCases
import Store

/// `improvementd check [--json]`: the store's integrity, foreign keys, artifact checksums and the
/// one-production invariant; exit status 1 on any problem (README.md, "Operations").
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Check the store: integrity, foreign keys, artifact checksums, one production version."
    )

    @Flag(name: .long, help: "Print as JSON.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let app = try global.app()
        let report = try app.store.check()
        if json {
            print(try Output.json(report))
        } else {
            print("store: \(report.path)")
            for c in report.checks {
                print("\(c.name): \(c.ok ? "ok" : "FAILED")")
                for d in c.details { print("  \(d)") }
            }
        }
        if !report.ok { throw ExitCode(Exit.failure) }
    }
}
