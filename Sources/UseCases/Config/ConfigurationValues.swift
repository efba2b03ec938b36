import Foundation

/// What one configuration key accepts: the words its error prints and the test of a decoded
/// value, shared by a section's decoder (a value of the wrong type) and its `validate()` (a value
/// out of range), so both refuse a key with the same message.
struct ValueRule<Value: Sendable>: Sendable {
    let expected: String
    let accepts: @Sendable (Value) -> Bool

    /// Refuses `value` at `key` (`section.key`) unless the rule accepts it.
    func check(_ value: Value, at key: String) throws(ConfigurationError) {
        guard accepts(value) else { throw ConfigurationError(refusing: key, expected: expected, got: "\(value)") }
    }
}

extension ValueRule where Value == Int {
    static func wholeNumber(_ range: ClosedRange<Int>) -> ValueRule {
        ValueRule(expected: "expected a whole number in \(range.lowerBound)...\(range.upperBound)") { range.contains($0) }
    }
}

extension ValueRule where Value == Double {
    /// A finite number in `range`, excluding its lower bound when `openLower`.
    static func number(_ range: ClosedRange<Double>, openLower: Bool = false) -> ValueRule {
        ValueRule(expected: "expected a number in \(openLower ? "(" : "[")\(range.lowerBound), \(range.upperBound)]") {
            $0.isFinite && range.contains($0) && !(openLower && $0 == range.lowerBound)
        }
    }
}

extension ValueRule where Value == String {
    static var string: ValueRule { ValueRule(expected: "expected a string") { _ in true } }
    static var nonEmpty: ValueRule { ValueRule(expected: "must not be empty") { !$0.isEmpty } }
    static var timeZone: ValueRule {
        ValueRule(expected: "expected an IANA time zone such as Asia/Kolkata") { TimeZone(identifier: $0) != nil }
    }
}

/// Decoding helpers of the configuration sections: a missing key takes its default, a value of
/// the wrong type is refused as a ``ConfigurationError`` naming `section.key`.
extension KeyedDecodingContainer {
    /// `section.key`, as errors name it.
    func path(_ key: Key) -> String { (codingPath + [key]).map(\.stringValue).joined(separator: ".") }

    /// The refusal of the value at `key`; the loader replaces `got` with the value as written.
    func refusal(_ key: Key, _ expected: String) -> ConfigurationError {
        ConfigurationError(refusing: path(key), expected: expected, got: (try? decode(String.self, forKey: key)) ?? "?")
    }

    /// A string; null reads as "". Numbers, booleans, lists and mappings are refused.
    func string(_ key: Key, or fallback: String) throws -> String {
        guard contains(key) else { return fallback }
        if try decodeNil(forKey: key) { return "" }
        let notString = (try? decode(Int.self, forKey: key)) != nil || (try? decode(Bool.self, forKey: key)) != nil
            || ((try? decode(Double.self, forKey: key)) != nil && (try? decode(String.self, forKey: key))?.contains(where: \.isNumber) == true)
        guard !notString, let s = try? decode(String.self, forKey: key) else { throw refusal(key, ValueRule<String>.string.expected) }
        return s
    }

    /// The text of a scalar as written (`18:30`, `Sat 06:00`), nil when the key is absent.
    func text(_ key: Key, expected: String) throws -> String? {
        guard contains(key) else { return nil }
        guard let s = try? decode(String.self, forKey: key) else { throw refusal(key, expected) }
        return s
    }

    /// A whole number, written plain or quoted.
    func wholeNumber(_ key: Key, or fallback: Int, _ rule: ValueRule<Int>) throws -> Int {
        guard contains(key) else { return fallback }
        if let v = try? decode(Int.self, forKey: key) { return v }
        if let s = try? decode(String.self, forKey: key), let v = Int(s) { return v }
        throw refusal(key, rule.expected)
    }

    /// A number, written plain or quoted, whole or not.
    func number(_ key: Key, or fallback: Double, _ rule: ValueRule<Double>) throws -> Double {
        guard contains(key) else { return fallback }
        if let v = try? decode(Double.self, forKey: key) { return v }
        if let s = try? decode(String.self, forKey: key), let v = Double(s) { return v }
        throw refusal(key, rule.expected)
    }

    /// The items of a list as text; nil when the value is not a list.
    func textList(_ key: Key, itemExpected: String) throws -> [String]? {
        guard var list = try? nestedUnkeyedContainer(forKey: key) else { return nil }
        var items: [String] = []
        while !list.isAtEnd {
            guard let s = try? list.decode(String.self) else { throw refusal(key, itemExpected) }
            items.append(s)
        }
        return items
    }
}
