import ArgumentParser
import Foundation
import UseCases

/// `improvementd report [--out DIR] [--version N]`: the HTML pages (README.md, "Reports").
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the HTML pages: the history (index.html) and each training run's page (run-vN.html)."
    )

    @Option(name: .long, help: "The folder to write into (default: the configured reports_dir).")
    var out: String?

    @Option(name: .long, help: "Write only this version's run page (with the history page).")
    var version: Int?

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let app = try global.app()
        let written = try HTMLReports.write(app: app, to: out ?? app.config.reportsDir, version: version)
        for path in written { print(path) }
    }
}
