import ArgumentParser
import Foundation
import Learning
import TradingDomain
import UseCases

// The library enums as command-line values: argument-parser parses them by raw value, lists
// their values in `--help`, and refuses any other value as a usage error (exit 2). Declared here
// so the library modules do not depend on ArgumentParser.

extension ImportKind: ExpressibleByArgument {}
extension ExportKind: ExpressibleByArgument {}
extension BuiltInStrategy: ExpressibleByArgument {}
extension Algorithm: ExpressibleByArgument {}

/// One `--algorithms` value: a comma-separated list of algorithms (`gb,rf`); the option may
/// also be repeated (`--algorithms gb,rf --algorithms lr`).
struct AlgorithmList: ExpressibleByArgument, Equatable {
    var values: [Algorithm]

    init?(argument: String) {
        var values = [Algorithm]()
        for name in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let a = Algorithm(argument: name.trimmingCharacters(in: .whitespaces)) else { return nil }
            values.append(a)
        }
        self.values = values
    }

    static var allValueStrings: [String] { Algorithm.allValueStrings }
}
