import Foundation

/// A deterministic pseudo-random generator (SplitMix64): the same seed gives the same inputs on
/// every machine, so a failing fuzz input is reproduced from the seed the test prints.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `range` (non-empty).
    public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    /// A uniform integer in `range` (non-empty).
    public mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &self) }
    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
    public mutating func pick<T>(_ items: [T]) -> T { items[int(0..<items.count)] }
}

/// The mutations the fuzz tests apply to real input files (docs/TESTING.md, "Fuzzed imports").
public enum Mutation: String, CaseIterable, Sendable {
    case byteFlip, truncate, duplicateLine, shuffleLines, hugeField, invalidUTF8, nulByte, crlf, bom
    case edgeNumber, dropField, addField, unbalancedQuote, emptyFile, headerOnly, blankLines, deleteLine
}

/// Seeded mutations of a file's bytes, line-aware where a mutation needs lines.
public struct Mutator: Sendable {
    public var random: SeededRandom

    public init(seed: UInt64) { random = SeededRandom(seed: seed) }

    /// Numbers at the edges of what a parser meets: overflow, signed zero, NaN, 20-digit integers.
    public static let edgeNumbers = [
        "1e309", "-1e309", "-0", "-0.0", "NaN", "nan", "-nan", "inf", "-inf", "Infinity", "12345678901234567890",
        "-12345678901234567890", "99999999999999999999999", "0", "4.9e-324", "1e-400", "0x1p3", "1_000", "+5",
        " 5 ", "5e", ".", "-", "", "1,5", "\"1\"", "1e308", "2.2250738585072014e-308", "18446744073709551616",
        "0000000000000000000001", "9223372036854775807", "-9223372036854775808",
    ]

    /// Odd text for a text field: over-long dates, odd dates, control characters.
    static let oddTexts = [
        "0000-00-00", "2024-02-30", "2024-13-01", "9999-12-31", "0001-01-01", "2024-1-1", "2024-01-01T",
        "2024-01-01T25:00", "2024-01-01T10:00+", "2024-01-01 10:00:00.5Z", "20240101", "BUY", "SELL", "HOLD",
        "\t", "\u{00A0}", "\u{200B}", "é", "🙂", "\\", "'", ";DROP TABLE signals;--", "large", "MID", "x",
    ]

    /// `base` with one to four mutations applied; the names of those applied are returned too.
    public mutating func mutate(_ base: Data) -> (Data, [Mutation]) {
        var bytes = [UInt8](base)
        var applied: [Mutation] = []
        for _ in 0..<random.int(1...4) {
            let m = random.pick(Mutation.allCases)
            applied.append(m)
            bytes = apply(m, to: bytes)
        }
        return (Data(bytes), applied)
    }

    mutating func apply(_ m: Mutation, to bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        switch m {
        case .byteFlip:
            guard !bytes.isEmpty else { return bytes }
            for _ in 0..<random.int(1...8) {
                let i = random.int(0..<bytes.count)
                bytes[i] ^= UInt8(1) << UInt8(random.int(0...7))
            }
        case .truncate:
            bytes = Array(bytes.prefix(random.int(0...bytes.count)))
        case .duplicateLine:
            var lines = split(bytes)
            guard !lines.isEmpty else { return bytes }
            let i = random.int(0..<lines.count)
            lines.insert(lines[i], at: random.int(0...lines.count))
            bytes = join(lines)
        case .shuffleLines:
            var lines = split(bytes)
            guard lines.count > 1 else { return bytes }
            if random.chance(0.3) { lines.shuffle(using: &random) } else {
                for _ in 0..<random.int(1...5) { lines.swapAt(random.int(0..<lines.count), random.int(0..<lines.count)) }
            }
            bytes = join(lines)
        case .hugeField:
            let size = random.chance(0.03) ? random.int(100_000...200_000) : random.int(1_000...10_000)
            let unit: [UInt8] = random.pick([Array("x".utf8), Array("9".utf8), Array("é".utf8), Array("\"".utf8), Array("ab,".utf8)])
            let field = unit.count == 1 ? [UInt8](repeating: unit[0], count: size) : Array([[UInt8]](repeating: unit, count: size / unit.count).joined())
            bytes = replaceField(bytes, with: field)
        case .invalidUTF8:
            let bad: [UInt8] = random.pick([[0xFF], [0xC3], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80]])
            bytes.insert(contentsOf: bad, at: random.int(0...bytes.count))
        case .nulByte:
            for _ in 0..<random.int(1...3) { bytes.insert(0, at: random.int(0...bytes.count)) }
        case .crlf:
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count * 11 / 10)
            let lone = random.chance(0.2) // a lone CR in place of LF, too
            for b in bytes {
                if b == 0x0A { if lone { out.append(0x0D) } else { out += [0x0D, 0x0A] } } else { out.append(b) }
            }
            bytes = out
        case .bom:
            bytes = random.chance(0.8) ? [0xEF, 0xBB, 0xBF] + bytes : [0xFE, 0xFF] + bytes
        case .edgeNumber:
            let text = random.chance(0.75) ? random.pick(Self.edgeNumbers) : random.pick(Self.oddTexts)
            bytes = replaceField(bytes, with: Array(text.utf8))
        case .dropField:
            if let i = indices(of: 0x2C, in: bytes).randomElement(using: &random) { bytes.remove(at: i) }
        case .addField:
            if let i = indices(of: 0x0A, in: bytes).randomElement(using: &random) { bytes.insert(contentsOf: Array(",extra".utf8), at: i) }
        case .unbalancedQuote:
            bytes.insert(0x22, at: random.int(0...bytes.count))
        case .emptyFile:
            bytes = random.chance(0.5) ? [] : Array(random.pick(["\n", "\r\n", " ", "\n\n\n", ",,,"]).utf8)
        case .headerOnly:
            bytes = split(bytes).first ?? []
        case .blankLines:
            var lines = split(bytes)
            lines.insert(random.pick([[], [0x20], [0x0D], [0x2C, 0x2C]]), at: random.int(0...lines.count))
            bytes = join(lines)
        case .deleteLine:
            var lines = split(bytes)
            guard !lines.isEmpty else { return bytes }
            lines.remove(at: random.int(0..<lines.count))
            bytes = join(lines)
        }
        return bytes
    }

    /// Replaces one comma-, quote- or line-delimited field (or, in JSON, one value) with `field`.
    mutating func replaceField(_ bytes: [UInt8], with field: [UInt8]) -> [UInt8] {
        let separators: Set<UInt8> = [0x2C, 0x0A, 0x3A, 0x7D] // , \n : }
        let cuts = bytes.indices.filter { separators.contains(bytes[$0]) }
        guard cuts.count >= 2 else { return field + bytes }
        let k = random.int(0..<(cuts.count - 1))
        let start = cuts[k] + 1, end = cuts[k + 1]
        // Inside JSON, keep a number raw or quote the text, so most inputs stay parseable.
        let json = bytes[cuts[k]] == 0x3A
        var replacement = field
        if json && random.chance(0.5) { replacement = [0x22] + field + [0x22] }
        return Array(bytes[..<start]) + replacement + Array(bytes[end...])
    }

    func indices(of byte: UInt8, in bytes: [UInt8]) -> [Int] { bytes.indices.filter { bytes[$0] == byte } }

    func split(_ bytes: [UInt8]) -> [[UInt8]] {
        bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
    }

    func join(_ lines: [[UInt8]]) -> [UInt8] { Array(lines.joined(separator: [0x0A])) }

    /// A header plus a random contiguous slice of `count` data lines of `file` (no header when
    /// it has none, as JSON Lines).
    public mutating func slice(_ file: FuzzCorpus.Lines, lines count: ClosedRange<Int>) -> Data {
        let n = min(random.int(count), file.body.count)
        let start = random.int(0...(file.body.count - n))
        var out = [UInt8]()
        if let header = file.header { out += header.utf8; out.append(0x0A) }
        for line in file.body[start..<(start + n)] { out += line; out.append(0x0A) }
        return Data(out)
    }
}
