import Foundation

/// A parsed CSV file: header names and data rows, each with its 1-based line number in the file.
///
/// Handles RFC 4180 quoting (a quoted field may hold commas, doubled quotes and newlines), CRLF
/// and a UTF-8 byte-order mark. Invalid UTF-8 is an error naming the line, never silently replaced.
public struct CSVTable: Sendable {
    public struct Row: Sendable {
        /// Line of the file where the row starts (the header is line 1).
        public var line: Int
        public var fields: [String]
        /// The raw text of the row, to copy into a rejected-rows file unchanged.
        public var raw: String
    }

    public var header: [String]
    public var rows: [Row]

    /// Parses `data`; `file` is used only in error messages.
    public static func parse(_ data: Data, file: String) throws(InputError) -> CSVTable {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if bytes.isEmpty { throw InputError(file: file, line: 1, reason: "the file is empty") }

        var records: [(line: Int, fields: [String], raw: String)] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var recordStart = 0
        var i = 0

        func finishField() throws(InputError) {
            guard let text = String(validating: field, as: UTF8.self) else {
                throw InputError(file: file, line: line, reason: "the line is not valid UTF-8 text")
            }
            fields.append(text)
            field.removeAll(keepingCapacity: true)
        }
        func finishRecord(end: Int) throws(InputError) {
            try finishField()
            let rawBytes = Array(bytes[recordStart..<end])
            let raw = String(decoding: rawBytes, as: UTF8.self)
            // Skip wholly blank lines.
            if !(fields.count == 1 && fields[0].trimmingSpaces().isEmpty) {
                records.append((recordLine, fields, raw))
            }
            fields.removeAll(keepingCapacity: true)
        }

        while i < bytes.count {
            let c = bytes[i]
            if inQuotes {
                if c == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(c)
                        i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == UInt8(ascii: "\n") { line += 1 }
                    field.append(c)
                }
            } else {
                switch c {
                case UInt8(ascii: "\""):
                    if field.isEmpty { inQuotes = true } else { field.append(c) }
                case UInt8(ascii: ","):
                    try finishField()
                case UInt8(ascii: "\n"):
                    var end = i
                    if end > recordStart, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                    if field.last == UInt8(ascii: "\r") { field.removeLast() }
                    try finishRecord(end: end)
                    line += 1
                    recordLine = line
                    recordStart = i + 1
                default:
                    field.append(c)
                }
            }
            i += 1
        }
        if inQuotes { throw InputError(file: file, line: recordLine, reason: "a quoted field is never closed") }
        if recordStart < bytes.count {
            var end = bytes.count
            if bytes[end - 1] == UInt8(ascii: "\r") { end -= 1; if field.last == UInt8(ascii: "\r") { field.removeLast() } }
            try finishRecord(end: end)
        }
        guard let first = records.first else { throw InputError(file: file, line: 1, reason: "the file is empty") }
        let header = first.fields.map { $0.trimmingSpaces() }
        let rows = records.dropFirst().map { Row(line: $0.line, fields: $0.fields, raw: $0.raw) }
        return CSVTable(header: header, rows: Array(rows))
    }

    /// Column index by case-insensitive name, trying each alias in turn.
    public func column(_ names: String...) -> Int? {
        let lower = header.map { $0.lowercased() }
        for name in names { if let i = lower.firstIndex(of: name.lowercased()) { return i } }
        return nil
    }
}

/// One reason a piece of input was refused, located as `FILE:LINE: reason`.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based line; for rows read from a database, the row key is in `location` instead.
    public var line: Int
    public var location: String?
    public var reason: String

    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public init(file: String, location: String, reason: String) {
        self.file = file
        self.line = 0
        self.location = location
        self.reason = reason
    }

    public var description: String { "\(file):\(location ?? String(line)): \(reason)" }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (Unicode `Zs` and U+0009, what
    /// Foundation's `CharacterSet.whitespaces` holds), in pure Swift: Foundation's
    /// `trimmingCharacters` bridges through NSString and was a third of a bars import's time.
    public func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        func isSpace(_ s: Unicode.Scalar) -> Bool {
            s == " " || s == "\t" || (s.value >= 0x80 && s.properties.generalCategory == .spaceSeparator)
        }
        // Most fields have nothing to trim.
        guard let head = scalars.first, let tail = scalars.last else { return "" }
        if !isSpace(head) && !isSpace(tail) { return String(self) }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) })!
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[first...last])
        return String(view)
    }
}
