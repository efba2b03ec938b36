import ArgumentParser
import Foundation
import UseCases
import Store

/// `improvementd backup FILE [--force]`: a consistent copy of the store, taken while the daemon
/// writes (README.md, "Operations").
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Copy the store consistently into FILE (SQLite's online backup), even while the daemon runs."
    )

    @Argument(help: "The new SQLite file.")
    var file: String

    @Flag(name: .long, help: "Replace FILE if it exists.")
    var force = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let app = try global.app()
        try app.store.backup(to: file, replacing: force)
        print("backed up \(app.store.path) to \(file)")
    }
}
