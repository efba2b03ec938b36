/// The direction of a trading signal.
public enum SignalType: String, Sendable, Codable, CaseIterable {
    case buy = "BUY"
    case sell = "SELL"
}

/// A BUY or SELL signal emitted by the trading system (README.md, "Importing").
public struct Signal: Sendable, Equatable {
    public var id: String
    public var symbol: String
    public var strategy: String
    public var type: SignalType
    public var entryDate: Day
    public var entryPrice: Double
    public var targetPrice: Double?
    public var stopLoss: Double?
    /// 0...1, nil when the trading system gave none.
    public var confidence: Double?
    /// When the signal was created, ISO date or date-time as given (defaults to the entry date).
    public var createdAt: String
    /// Columns the importer did not know, kept verbatim.
    public var metadata: [String: String]

    public init(
        id: String, symbol: String, strategy: String, type: SignalType = .buy, entryDate: Day,
        entryPrice: Double, targetPrice: Double? = nil, stopLoss: Double? = nil,
        confidence: Double? = nil, createdAt: String? = nil, metadata: [String: String] = [:]
    ) {
        self.id = id
        self.symbol = symbol
        self.strategy = strategy
        self.type = type
        self.entryDate = entryDate
        self.entryPrice = entryPrice
        self.targetPrice = targetPrice
        self.stopLoss = stopLoss
        self.confidence = confidence
        self.createdAt = createdAt ?? entryDate.iso
        self.metadata = metadata
    }

    /// The day part of `createdAt` (falls back to the entry date when unparsable).
    public var createdDay: Day { Day(iso: createdAt) ?? entryDate }
}

/// Static facts about a symbol used by sector features.
public struct SymbolInfo: Sendable, Equatable {
    public var symbol: String
    public var name: String?
    public var sector: String?
    /// "large", "mid" or "small"; nil when unknown.
    public var marketCapCategory: String?

    public init(symbol: String, name: String? = nil, sector: String? = nil, marketCapCategory: String? = nil) {
        self.symbol = symbol
        self.name = name
        self.sector = sector
        self.marketCapCategory = marketCapCategory
    }
}

/// A dated event of a symbol, e.g. a `results` announcement.
public struct SymbolEvent: Sendable, Equatable, Hashable {
    public var symbol: String
    public var day: Day
    public var kind: String

    public init(symbol: String, day: Day, kind: String) {
        self.symbol = symbol
        self.day = day
        self.kind = kind
    }
}

/// One value of a dated per-symbol external series (sentiment, analyst action, ...).
public struct ExternalValue: Sendable, Equatable {
    public var symbol: String
    public var day: Day
    public var name: String
    public var value: Double

    public init(symbol: String, day: Day, name: String, value: Double) {
        self.symbol = symbol
        self.day = day
        self.name = name
        self.value = value
    }
}
