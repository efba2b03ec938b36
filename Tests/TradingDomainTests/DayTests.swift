import Testing
@testable import TradingDomain

@Suite struct DayTests {
    @Test func roundTripsISO() {
        for text in ["1970-01-01", "2016-04-20", "2020-02-29", "2026-12-31", "1999-03-01"] {
            #expect(Day(iso: text)?.iso == text)
        }
        #expect(Day(iso: "1970-01-01")?.number == 0)
        #expect(Day(iso: "2026-04-10T09:15:00+05:30")?.iso == "2026-04-10")
    }

    @Test func rejectsInvalidDates() {
        for text in ["2021-02-29", "2020-13-01", "2020-00-10", "20-01-01", "2020/01/01", "2020-01-011", "abc", ""] {
            #expect(Day(iso: text) == nil, "\(text)")
        }
    }

    @Test func weekdays() {
        #expect(Day(iso: "2026-11-25")?.weekday == 3) // a Wednesday
        #expect(Day(iso: "1970-01-01")?.weekday == 4) // a Thursday
    }
}

/// The pure-Swift trim used by the CSV readers agrees with Foundation's `.whitespaces` trim.
@Suite struct TrimmingTests {
    @Test(arguments: [
        "", " ", "\t\t", "12.5", "  12.5\t", "\u{00A0}x\u{3000}", "a b", " a b ", "\r", " \r\n", "é ",
        "\u{2009}2024-01-02\u{202F}", "\u{FEFF}x", " \u{0301}x", "x\u{0301} ",
    ])
    func agreesWithFoundation(_ text: String) {
        #expect(text.trimmingSpaces() == text.trimmingCharacters(in: .whitespaces))
        #expect(text[...].trimmingSpaces() == text.trimmingCharacters(in: .whitespaces))
    }
}
