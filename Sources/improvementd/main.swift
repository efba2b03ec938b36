import ArgumentParser
import Foundation
import UseCases
import Store
import Synchronization
import TradingDomain

/// The root command (SPEC §9). `improvementd` alone, or `improvementd --once`, is `run`.
struct Root: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "improvementd",
        abstract: "Makes a trading system's signal classifier improve itself on real outcomes.",
        discussion: "Exit status: 0 success, 1 failure, 2 usage, 3 invalid input (nothing written).",
        subcommands: [RunCommand.self, ImportCommand.self, BackfillCommand.self, LabelCommand.self, TrainCommand.self, PredictCommand.self, EvaluateCommand.self, ModelsCommand.self, ExportCommand.self, StatusCommand.self]
        ,defaultSubcommand: RunCommand.self
    )
}

/// Exit statuses of SPEC §9.
enum Exit {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let usage: Int32 = 2
    static let invalidInput: Int32 = 3
}

func runMain() -> Int32 {
    let command: any ParsableCommand
    do {
        command = try Root.parseAsRoot()
    } catch {
        let code = Root.exitCode(for: error)
        let message = Root.fullMessage(for: error)
        if code == .success {
            print(message)
            return Exit.success
        }
        FileHandle.standardError.write(Data((message + "\n").utf8))
        return Exit.usage
    }
    do {
        var command = command
        try command.run()
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
        switch Root.exitCode(for: error) {
        case .success:
            print(Root.fullMessage(for: error))
            return Exit.success
        case .validationFailure:
            FileHandle.standardError.write(Data((Root.fullMessage(for: error) + "\n").utf8))
            return Exit.usage
        default:
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            return Exit.failure
        }
    }
}

exit(runMain())
