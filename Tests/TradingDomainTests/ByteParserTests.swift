import Foundation
import FuzzSupport
import Testing
@testable import TradingDomain

/// The bars import's byte parser against the `CSVTable` path it stands in for: the same
/// numbers bit for bit, the same rows, and no answer at all wherever that path refuses a row.
@Suite struct ByteParserTests {
    static let root = FuzzCorpus.root

    /// Every bundled bars file and the test copies of real data, as text.
    static func realFiles() throws -> [(name: String, text: String)] {
        let dir = root.appendingPathComponent("examples/data/ohlcv")
        var files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".csv") }.sorted().map {
            ($0, try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8))
        }
        let fixtures = root.appendingPathComponent("Tests/TradingDomainTests/Fixtures")
        for name in try FileManager.default.contentsOfDirectory(atPath: fixtures.path).sorted() where name.hasSuffix(".csv") {
            files.append((name, try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)))
        }
        return files
    }

    /// Checks one text: where the byte parser answers, its answer is `Double(String)`'s, bit for bit.
    static func agrees(_ text: String) -> (fast: Bool, ok: Bool) {
        guard let fast = DecimalBytes.double(text) else { return (false, true) }
        guard let slow = Double(text) else { return (true, false) }
        return (true, fast.bitPattern == slow.bitPattern)
    }

    @Test func numbersOfEveryRealFileParseBitForBitAsBefore() throws {
        var fields = 0, fast = 0, wrong: [String] = []
        for (name, text) in try Self.realFiles() {
            for line in text.split(separator: "\n").dropFirst() {
                for field in line.split(separator: ",", omittingEmptySubsequences: false) {
                    let (took, ok) = Self.agrees(String(field))
                    fields += 1
                    if took { fast += 1 }
                    if !ok { wrong.append("\(name): \(field)") }
                }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
        // The prices and volumes of the bundled files all take the fast path (dates and the
        // fixture's 17-digit values do not).
        #expect(fields > 150_000 && fast > fields / 2, "\(fast) of \(fields)")
    }

    @Test func edgeCasesParseAsBeforeOrGoTheSlowWay() {
        let taken = [
            "0", "-0", "+0", "-0.0", "5", "+5", "-5", "1234.5678", "00012.50", "0.1", "0.3000000000000004", "0.000000000000000001",
            "9007199254740992", "900719925474099.2", "-223.8288", "1144256",
        ]
        for text in taken {
            #expect(DecimalBytes.double(text) != nil, "\(text) should take the fast path")
            #expect(Self.agrees(text).ok, "\(text)")
        }
        // Left to Double(String): exponents, a bare point, spaces, quotes, words, too many digits.
        let left = [
            "", "-", "+", ".", ".5", "5.", "-.5", "1e5", "1E5", "1.5e-3", " 5", "5 ", "\"5\"", "nan", "NaN", "-nan",
            "inf", "-inf", "Infinity", "0x1p3", "1_000", "1,5", "1.2.3", "++5", "+-5", "9007199254740993",
            "12345678901234567890", "1234567890123456789", "0.1234567890123456789", "0.00000000000000000000001", "0.0000000000000000000001", "0.30000000000000004", "0000000000000000000001", "5\r", "5\t", "٣",
        ]
        for text in left {
            #expect(DecimalBytes.double(text) == nil, "\(text) should go the slow way")
        }
    }

    @Test func randomDecimalsParseBitForBitAsBefore() {
        var random = SeededRandom(seed: 20_261_202)
        var wrong: [String] = []
        var fast = 0
        for _ in 0..<200_000 {
            var text = random.chance(0.2) ? "-" : random.chance(0.05) ? "+" : ""
            let intDigits = random.int(1...17)
            for _ in 0..<intDigits { text.append(Character(Unicode.Scalar(UInt8(48 + random.int(0...9))))) }
            if random.chance(0.8) {
                text += "."
                for _ in 0..<random.int(1...(22 - min(intDigits, 21))) { text.append(Character(Unicode.Scalar(UInt8(48 + random.int(0...9))))) }
            }
            let (took, ok) = Self.agrees(text)
            if took { fast += 1 }
            if !ok { wrong.append(text) }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
        #expect(fast > 50_000)
    }

    /// Both paths on one file's bytes: the byte parser answers nil, or exactly what the table path accepts.
    static func compare(_ data: Data, defaultSymbol: String = "SYM") -> (fast: Validated<BarInput.Row>?, slow: Validated<BarInput.Row>?, same: Bool) {
        let fast = BarInput.validate(bytes: data, file: "f.csv", defaultSymbol: defaultSymbol)
        guard let table = try? CSVTable.parse(data, file: "f.csv") else { return (fast, nil, fast == nil) }
        let slow = BarInput.validate(table, file: "f.csv", defaultSymbol: defaultSymbol)
        guard let fast else { return (nil, slow, true) }
        let same = slow.errors.isEmpty && fast.header == slow.header && fast.items.count == slow.items.count
            && zip(fast.items, slow.items).allSatisfy { a, b in
                a.symbol == b.symbol && a.bar.day == b.bar.day
                    && [a.bar.open, a.bar.high, a.bar.low, a.bar.close, a.bar.volume].map(\.bitPattern)
                    == [b.bar.open, b.bar.high, b.bar.low, b.bar.close, b.bar.volume].map(\.bitPattern)
            }
        return (fast, slow, same)
    }

    @Test func everyBundledBarsFileReadsAsBefore() throws {
        for (name, text) in try Self.realFiles() where !name.hasPrefix("reference_") {
            let (fast, slow, same) = Self.compare(Data(text.utf8))
            #expect(fast != nil, "\(name) should take the byte path")
            #expect(same, "\(name)")
            #expect(fast?.items.count == slow?.items.count && (fast?.items.count ?? 0) > 1000)
        }
    }

    @Test(arguments: [
        ("CRLF", "date,open,high,low,close,volume\r\n2024-01-01,10,11,9,10.5,100\r\n2024-01-02,10,11,9,10.5,100\r\n"),
        ("BOM, no final newline", "\u{FEFF}date,open,high,low,close,volume\n2024-01-01,10,11,9,10.5,100\n2024-01-02,10,11,9,10.5,100"),
        ("final CR", "date,open,high,low,close,volume\n2024-01-01,10,11,9,10.5,100\r"),
        ("blank lines", "\n  \ndate,open,high,low,close,volume\n\n2024-01-01,10,11,9,10.5,100\n \t\n\r\n2024-01-02,10,11,9,10.5,100\n\n"),
        ("spaces and tabs", " Date , Open,High\t,LOW,close,Volume \n 2024-01-01 ,\t10 , 11,9,10.5 ,100\t\n"),
        ("Yahoo", "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-01,10,11,9,10.5,10.1,100\n2024-01-02,10,11,9,10.5,,100\n"),
        ("slow numbers", "date,open,high,low,close,volume\n2024-01-01,1e1,+11,9.,1.05e1,1.5E6\n2024-01-02,10,11,9,10.5,-0\n"),
        ("long numbers", "date,open,high,low,close,volume\n2024-01-01,10.000000000000000000000001,11.12345678901234567891,9,10,12345678901234567890\n"),
        ("symbol column", "symbol,date,open,high,low,close,volume\nA,2024-01-02,10,11,9,10.5,100\nB,2024-01-01,10,11,9,10.5,100\n,2024-01-01,10,11,9,10.5,100\nA,2024-01-01,10,11,9,10.5,100\n SYM ,2024-01-03,10,11,9,10.5,100\n"),
        ("days out of order", "date,open,high,low,close,volume\n2024-01-03,10,11,9,10.5,100\n2024-01-01,10,11,9,10.5,100\n2024-01-02,10,11,9,10.5,100\n"),
        ("duplicate columns", "date,open,high,low,close,volume,open\n2024-01-01,10,11,9,10.5,100,x\n"),
    ])
    func plainVariantsReadAsBefore(_ name: String, _ text: String) {
        let (fast, slow, same) = Self.compare(Data(text.utf8))
        #expect(fast != nil, "\(name) should take the byte path")
        #expect(slow?.errors.isEmpty == true, "\(name): \(slow?.errors ?? [])")
        #expect(same, "\(name)")
    }

    /// Wherever the table path refuses a row or the file, the byte path does not answer, so the
    /// errors (file, line, reason) and the rejected rows come from that path as before.
    @Test(arguments: [
        ("bad date", "date,open,high,low,close,volume\n2024-01-01,10,11,9,10.5,100\n2024-02-30,10,11,9,10.5,100\n", 3),
        ("short date", "date,open,high,low,close,volume\n2024-1-01,10,11,9,10.5,100\n", 2),
        ("date-time", "date,open,high,low,close,volume\n2024-01-01T10:00,10,11,9,10.5,100\n", 2),
        ("empty field", "date,open,high,low,close,volume\n2024-01-01,10,,9,10.5,100\n", 2),
        ("nan", "date,open,high,low,close,volume\n2024-01-01,10,11,9,10.5,100\n2024-01-02,10,nan,9,10.5,100\n", 3),
        ("inf", "date,open,high,low,close,volume\n2024-01-01,10,11,9,inf,100\n", 2),
        ("overflow", "date,open,high,low,close,volume\n2024-01-01,10,1e309,9,10.5,100\n", 2),
        ("zero", "date,open,high,low,close,volume\n2024-01-01,0,11,9,10.5,100\n", 2),
        ("negative volume", "date,open,high,low,close,volume\n2024-01-01,10,11,9,10.5,-1\n", 2),
        ("high low", "date,open,high,low,close,volume\n2024-01-01,10,10.2,9,10.5,100\n2024-01-02,10,11,10.1,10.5,100\n", 2),
        ("field count", "date,open,high,low,close,volume\n2024-01-01,10,11,9,10.5\n", 2),
        ("duplicate", "date,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,100\n2024-01-01,10,11,9,10.5,100\n2024-01-02,10,11,9,10.5,100\n", 4),
        ("duplicate symbol rows", "symbol,date,open,high,low,close,volume\nA,2024-01-01,10,11,9,10.5,100\n,2024-01-01,10,11,9,10.5,100\nSYM,2024-01-01,10,11,9,10.5,100\n", 4),
        ("quoted", "date,open,high,low,close,volume\n2024-01-01,\"10\",11,9,10.5,100\n2024-01-02,10,11,9,x,100\n", 3),
        ("word", "date,open,high,low,close,volume\n\n2024-01-01,10,11,9,ten,100\n", 3),
        ("missing column", "date,open,high,low,close\n2024-01-01,10,11,9,10.5\n", 1),
        ("header only", "date,open,high,low,close,volume\n", 1),
        ("empty", "", 1),
    ])
    func refusedRowsAreLeftToTheTablePath(_ name: String, _ text: String, _ line: Int) throws {
        #expect(BarInput.validate(bytes: Data(text.utf8), file: "f.csv", defaultSymbol: "SYM") == nil, "\(name)")
        let errors: [InputError]
        do {
            errors = BarInput.validate(try CSVTable.parse(Data(text.utf8), file: "f.csv"), file: "f.csv", defaultSymbol: "SYM").errors
        } catch {
            errors = [error]
        }
        #expect(errors.first?.line == line, "\(name): \(errors)")
    }

    /// Seeded mutations of the real files: the byte path answers only where the table path
    /// accepts every row, and then with the same rows.
    @Test func mutatedRealFilesEitherReadAsBeforeOrGoTheTablePath() {
        var mutator = Mutator(seed: FuzzCorpus.seed(0xB17E_5))
        let corpus = FuzzCorpus.shared
        var answered = 0, declined = 0, mismatches: [String] = []
        for i in 0..<4000 {
            let input = mutator.slice(mutator.random.pick(corpus.bars).lines, lines: 20...120)
            let (data, mutations) = i % 5 == 0 ? (input, []) : mutator.mutate(input)
            let (fast, _, same) = Self.compare(data)
            if fast == nil { declined += 1 } else { answered += 1 }
            if !same { mismatches.append("input \(i) \(mutations)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        #expect(answered >= 800 && declined > 1000, "\(answered) answered, \(declined) declined")
    }
}
