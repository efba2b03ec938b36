import Foundation
import ModelMetrics

/// The header of a serialized model: everything except the library's own bytes.
struct ModelHeader: Codable, Sendable, Equatable {
    var format = "improvementd-model"
    var version = 1
    var algorithm: Algorithm
    var hyperparameters: Hyperparameters
    var columnNames: [String]
    var seed: UInt64
    var preprocessor: Preprocessor?
    var notes: [String]
    /// Small per-model numbers (e.g. the SVM's Platt coefficients), stored bit-exactly.
    var extras: [String: Double] = [:]
    /// An ensemble's combiner (absent for the base models, so their artifacts are unchanged).
    var combiner: Combiner? = nil
}

/// The byte layout of `Classifier.serialize()`:
/// `IMPVMDL1` magic, header length (UInt32 little-endian), header JSON (sorted keys), native bytes.
enum ModelArtifact {
    static let magic = Array("IMPVMDL1".utf8)

    static func encode(_ header: ModelHeader, native: [UInt8]) throws -> [UInt8] {
        let json = try [UInt8](JSONEncoder.sortedKeys().encode(header))
        var out = magic
        let n = UInt32(json.count)
        out += [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8(n >> 24)]
        out += json
        out += native
        return out
    }

    static func decode(_ bytes: [UInt8], expecting algorithm: Algorithm? = nil) throws -> (ModelHeader, [UInt8]) {
        guard bytes.count >= magic.count + 4, Array(bytes[0..<magic.count]) == magic else {
            throw LearningError(.invalidArtifact, "not an improvementd model (bad magic)")
        }
        let p = magic.count
        let n = Int(bytes[p]) | Int(bytes[p + 1]) << 8 | Int(bytes[p + 2]) << 16 | Int(bytes[p + 3]) << 24
        guard bytes.count >= p + 4 + n else { throw LearningError(.invalidArtifact, "truncated model header") }
        let header: ModelHeader
        do {
            header = try JSONDecoder().decode(ModelHeader.self, from: Data(bytes[(p + 4)..<(p + 4 + n)]))
        } catch {
            throw LearningError(.invalidArtifact, "unreadable model header: \(error)")
        }
        if let algorithm, header.algorithm != algorithm {
            throw LearningError(.invalidArtifact, "artifact holds a \(header.algorithm.displayName) model, not \(algorithm.displayName)")
        }
        return (header, Array(bytes[(p + 4 + n)...]))
    }
}
