import Foundation
import Testing
@testable import UseCases
import Store

/// Debian's chromium, where it is installed (scripts/install-deps.sh installs it).
enum Chromium {
    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs chromium headless on `page` with `arguments`; returns (status, stdout, stderr).
    static func run(_ arguments: [String], page: String, profile: URL) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        p.arguments = ["120", path!, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
                       "--user-data-dir=\(profile.path)"] + arguments + [URL(fileURLWithPath: page).absoluteString]
        let out = profile.appendingPathComponent("out-\(UUID().uuidString)"), err = profile.appendingPathComponent("err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        p.waitUntilExit()
        return (p.terminationStatus, try String(contentsOf: out, encoding: .utf8), try String(contentsOf: err, encoding: .utf8))
    }
}

/// Each kind of page in a real browser: headless Chromium renders it to a PNG that must not be
/// blank, and its DOM after rendering must hold the expected charts with non-empty paths.
// On the main actor: chromium and Python run for minutes here, and on the cooperative pool (two
// threads) these tests would stall every other suite's timers.
@MainActor @Suite(.serialized) struct BrowserTests {
    /// Pixel statistics of a PNG by Python's standard library alone (zlib, struct): the
    /// luminance variance and the share of pixels that are not white.
    nonisolated static func pixelStatistics(_ png: String) throws -> (variance: Double, inked: Double, width: Int, height: Int) {
        let script = #"""
            import struct, sys, zlib
            data = open(sys.argv[1], "rb").read()
            assert data[:8] == b"\x89PNG\r\n\x1a\n"
            pos, idat = 8, b""
            while pos < len(data):
                n, kind = struct.unpack(">I4s", data[pos:pos + 8])
                body = data[pos + 8:pos + 8 + n]
                if kind == b"IHDR": w, h, depth, color = struct.unpack(">IIBB", body[:10])
                if kind == b"IDAT": idat += body
                pos += 12 + n
            assert depth == 8 and color in (2, 6), (depth, color)
            bpp = 3 if color == 2 else 4
            raw, stride = zlib.decompress(idat), w * bpp
            prev, rows, i = bytearray(stride), [], 0
            for _ in range(h):
                f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
                for x in range(stride):
                    a = line[x - bpp] if x >= bpp else 0
                    b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
                    if f == 1: line[x] = (line[x] + a) & 255
                    elif f == 2: line[x] = (line[x] + b) & 255
                    elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
                    elif f == 4:
                        p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                        line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
                rows.append(line); prev = line
            n = s = ss = inked = 0
            for line in rows[::2]:
                for x in range(0, stride, bpp * 2):
                    y = 0.299 * line[x] + 0.587 * line[x + 1] + 0.114 * line[x + 2]
                    n += 1; s += y; ss += y * y; inked += y < 250
            mean = s / n
            print(ss / n - mean * mean, inked / n, w, h)
            """#
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = ["-c", script, png]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let parts = text.split(separator: " ").map { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1 }
        guard p.terminationStatus == 0, parts.count == 4 else { throw CocoaError(.fileReadCorruptFile) }
        return (parts[0], parts[1], Int(parts[2]), Int(parts[3]))
    }

    /// The `d` of every rendered `<path>` of class `series` inside the chart of `kind`.
    nonisolated static func seriesPaths(_ dom: String, chart kind: String) -> [[String]] {
        let svgs = dom.components(separatedBy: "<svg ").dropFirst().filter { $0.contains("data-chart=\"\(kind)\"") }
        let path = try! Regex(#"<path d="([^"]*)"[^>]*class="series"#)
        return svgs.map { svg in svg.matches(of: path).map { String($0.output[1].substring ?? "") } }
    }

    @Test(.enabled(if: Chromium.path != nil, "chromium is not installed here (scripts/install-deps.sh installs Debian's chromium): the pages were not checked in a browser"))
    func everyKindOfPageRendersInChromium() throws {
        // A training run against production, evaluations and a decision: every chart has data.
        let app = try TestSupport.realApp(environment: TestSupport.quickTraining)
        _ = try app.training.train(algorithms: [.lr], tune: false)
        _ = try app.training.train(algorithms: [.gb], tune: false)
        for (i, (end, accuracy)) in [("2026-02-28", 0.62), ("2026-03-15", 0.58), ("2026-03-31", 0.64)].enumerated() {
            try app.store.insertEvaluation(modelVersion: 1, windowStart: "2026-02-01", windowEnd: end, n: 60 + i, accuracy: accuracy,
                                           auc: 0.53, precision: 0.3, recall: 0.2, f1: 0.24, combined: 0.38, successRate: 0.41,
                                           details: #"{"labeled_in_window":80}"#)
        }
        _ = try app.store.insertDecision(job: "weekly", triggers: #"{"triggers":[],"firedTriggers":[]}"#, action: "none", reason: "no trusted trigger fired", result: nil, modelVersion: 1)
        let dir = TestSupport.scratch()
        try HTMLReports.write(app: app, to: dir.path)
        let replay = (ReplayReportTests.fixture.dir as NSString).appendingPathComponent("replay.html")
        let pages: [(String, [String])] = [
            (dir.appendingPathComponent("index.html").path, ["line", "timeline"]),
            (dir.appendingPathComponent("run-v2.html").path, ["roc", "reliability", "histogram", "bars"]),
            (replay, ["line", "reliability", "timeline"]),
        ]
        let profile = TestSupport.scratch()
        for (page, charts) in pages {
            let name = (page as NSString).lastPathComponent
            for width in [1100, 390] { // a desk and a phone
                let png = profile.appendingPathComponent("\(name)-\(width).png").path
                let (status, _, err) = try Chromium.run(["--window-size=\(width),1600", "--screenshot=\(png)"], page: page, profile: profile)
                #expect(status == 0 && FileManager.default.fileExists(atPath: png), "\(name): \(err.suffix(400))")
                let stats = try Self.pixelStatistics(png)
                #expect(stats.width == width && stats.height == 1600)
                #expect(stats.variance > 100 && stats.inked > 0.01, "\(name) at \(width) px looks blank: \(stats)")
            }
            let (status, dom, err) = try Chromium.run(["--dump-dom"], page: page, profile: profile)
            #expect(status == 0 && dom.contains("</html>"), "\(name): \(err.suffix(400))")
            for kind in charts {
                let paths = Self.seriesPaths(dom, chart: kind)
                #expect(!paths.isEmpty, "\(name) has no \(kind) chart")
                #expect(paths.contains { !$0.isEmpty && $0.allSatisfy { $0.hasPrefix("M ") } } || kind == "bars" || kind == "timeline",
                        "\(name): the \(kind) chart has no drawn series")
            }
            if charts.contains("bars") { #expect(dom.contains("class=\"bar\""), "\(name) draws no bars") }
            if charts.contains("timeline") { #expect(dom.contains("class=\"event\""), "\(name) marks no event") }
        }
    }
}
