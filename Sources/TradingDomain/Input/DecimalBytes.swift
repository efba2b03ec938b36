/// Decimal numbers read straight from a file's bytes, with the exact `Double` that
/// `Double(String)` gives, so a bars import need not make a `String` per numeric field.
///
/// Only the plain form `[+-]digits[.digits]` is handled here, and only when Clinger's fast path
/// applies (at most 19 digits whose integer value is at most 2^53, at most 22 of them after the
/// point): the value is then one exactly representable integer divided by one exactly
/// representable power of ten, a single correctly rounded IEEE operation, which is the correctly
/// rounded value of the text, as `strtod` gives. Anything else (exponents, `.5`, spaces, `nan`,
/// more digits) answers nil and the caller parses a `String` as before.
public enum DecimalBytes {
    /// 10^0 ... 10^22, every one exact in a `Double`.
    @usableFromInline static let powers: [Double] = (0...22).map { k in
        var v = 1.0
        for _ in 0..<k { v *= 10 }
        return v
    }

    /// The value of `bytes[start..<end]`, or nil when the text is not of the plain form above.
    @inlinable
    public static func double(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var i = start
        guard i < end else { return nil }
        var negative = false
        if bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        var w: UInt64 = 0
        var digits = 0
        let intStart = i
        while i < end {
            let d = bytes[i] &- 48
            guard d < 10 else { break }
            w = w &* 10 &+ UInt64(d)
            digits += 1
            i += 1
        }
        guard i > intStart else { return nil } // no digit before the point
        var fraction = 0
        if i < end {
            guard bytes[i] == UInt8(ascii: ".") else { return nil }
            i += 1
            let fracStart = i
            while i < end {
                let d = bytes[i] &- 48
                guard d < 10 else { return nil }
                w = w &* 10 &+ UInt64(d)
                digits += 1
                i += 1
            }
            fraction = i - fracStart
            guard fraction > 0 else { return nil } // "5." goes the slow way
        }
        guard digits <= 19, fraction <= 22, w <= 1 << 53 else { return nil }
        let magnitude = fraction == 0 ? Double(w) : Double(w) / powers[fraction]
        return negative ? -magnitude : magnitude
    }

    /// The same for a `String`'s UTF-8 (tests compare it with `Double(String)`).
    public static func double(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { double($0, 0, $0.count) }
    }
}
