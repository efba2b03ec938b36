import ArgumentParser
import Foundation
import UseCases

/// The root command (README.md, Commands). `improvementd` alone, or `improvementd --once`, is `run`.
@main
struct Root: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "improvementd",
        abstract: "Makes a trading system's signal classifier improve itself on real outcomes.",
        discussion: "Exit status: 0 success, 1 failure, 2 usage, 3 invalid input (nothing written).",
        subcommands: [RunCommand.self, ImportCommand.self, BackfillCommand.self, LabelCommand.self, TrainCommand.self, PredictCommand.self, EvaluateCommand.self, ModelsCommand.self, ExportCommand.self, StatusCommand.self,
            BackupCommand.self,
            CheckCommand.self,
            ReplayCommand.self,
            ReportCommand.self,
        ],
        defaultSubcommand: RunCommand.self
    )

    /// Argument-parser's own `main()` exits 1 for every error thrown by `run`; the README's
    /// statuses need 3 for invalid input and 2 for a `ValidationError` raised while running.
    /// Signals keep their default actions here; `run` traps the ones it handles first thing.
    static func main() async {
        Foundation.exit(await run())
    }

    static func run() async -> Int32 {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            let message = fullMessage(for: error)
            if exitCode(for: error) == .success {
                print(message)
                return Exit.success
            }
            FileHandle.standardError.write(Data((message + "\n").utf8))
            return Exit.usage
        }
        do {
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
            return Exit.success
        } catch let error as InvalidInput {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            return Exit.invalidInput
        } catch let error as ValidationError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            return Exit.usage
        } catch let error as ExitCode {
            return error.rawValue
        } catch {
            // Argument-parser errors raised while running (e.g. help on a default subcommand).
            switch exitCode(for: error) {
            case .success:
                print(fullMessage(for: error))
                return Exit.success
            case .validationFailure:
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                return Exit.usage
            default:
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                return Exit.failure
            }
        }
    }
}

/// Exit statuses (README.md, Commands).
enum Exit {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let usage: Int32 = 2
    static let invalidInput: Int32 = 3
}
