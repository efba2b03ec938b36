import Foundation

extension JSONEncoder {
    /// An encoder that writes object keys in sorted order, so equal values give equal bytes: the
    /// JSON the store keeps (columns, settings, fingerprints), artifacts' JSON and the commands'
    /// `--json` output. `pretty` adds line breaks and indentation for a person to read.
    ///
    /// Here because ModelMetrics is the lowest module that every target writing such JSON imports.
    public static func sortedKeys(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
        return encoder
    }
}
