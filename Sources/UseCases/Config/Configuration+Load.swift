import Foundation
import Store
import Yams

extension Configuration {
    /// Loads `path` (nil: defaults only), applies the `IMPROVEMENTD_<SECTION>_<KEY>` environment
    /// overrides to the YAML tree, refuses unknown keys, then decodes and validates.
    ///
    /// A refused value names its source (the file, or `environment IMPROVEMENTD_…`), the key
    /// and the value as written: `my.yaml: training.holdout_fraction: expected a number in
    /// (0.0, 0.5] (got 0.9)`.
    public static func load(path: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Configuration {
        var tree = Node.Mapping([])
        var sources: [String: String] = [:] // section.key → where its value came from
        if let path {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigurationError(source: path, key: "-", reason: "cannot read the configuration file")
            }
            let root: Node?
            do {
                root = try Yams.compose(yaml: text)
            } catch {
                throw ConfigurationError(source: path, key: "-", reason: "not valid YAML: \(error)")
            }
            if let root, root.null == nil {
                guard let mapping = root.mapping else {
                    throw ConfigurationError(source: path, key: "-", reason: "the top level must be a mapping of keys")
                }
                tree = try known(mapping, source: path, sources: &sources)
            }
        }
        for (name, value) in environment.sorted(by: { $0.key < $1.key })
        where name.hasPrefix(environmentPrefix) && !toolVariables.contains(name) {
            let raw = name.dropFirst(environmentPrefix.count).lowercased()
            guard let key = knownKeys.first(where: { $0.replacingOccurrences(of: ".", with: "_") == raw }) else {
                throw ConfigurationError(source: "environment", key: name, reason: "no such configuration key (known: \(knownKeys.joined(separator: ", ")))")
            }
            // The value is YAML (`7`, `[gb, lr]`, `Sat 06:00`); text that does not parse is a string.
            let node = ((try? Yams.compose(yaml: value)) ?? nil) ?? Node(value, Tag(.str))
            set(node, at: key, in: &tree)
            sources[key] = "environment \(name)"
        }
        do {
            let config = try YAMLDecoder().decode(Configuration.self, from: .mapping(tree))
            try config.validate()
            return config
        } catch let error as ConfigurationError {
            throw located(error, tree: tree, sources: sources, file: path)
        } catch {
            throw ConfigurationError(source: path ?? "environment", key: "-", reason: "\(error)")
        }
    }

    static let environmentPrefix = "IMPROVEMENTD_"

    /// `IMPROVEMENTD_` variables that are not configuration keys: the crash points of the kill
    /// tests, the page cap of the disk-full tests, the fuzz tests' input count and seed
    /// (docs/TESTING.md) and the Python interpreter of the export test. They are ignored here so a
    /// test run (or a SIGHUP reload under one) is not refused as an unknown key.
    static let toolVariables: Set<String> = [
        CrashPoint.variable, SignalStore.maxPageCountVariable, "IMPROVEMENTD_PYTHON", "IMPROVEMENTD_FUZZ_INPUTS", "IMPROVEMENTD_FUZZ_SEED",
    ]

    /// `mapping` (a file's top level) with every key checked against ``knownKeys``; records each
    /// key's source. An empty section (`training:` with every key commented out) reads as none.
    private static func known(_ mapping: Node.Mapping, source: String, sources: inout [String: String]) throws -> Node.Mapping {
        var out = Node.Mapping([])
        func unknown(_ key: String) -> ConfigurationError {
            ConfigurationError(source: source, key: key, reason: "unknown key (known: \(knownKeys.joined(separator: ", ")))")
        }
        for (k, v) in mapping {
            let name = k.string ?? "\(k)"
            if let section = CodingKeys(rawValue: name), let keys = sectionKeys[section] {
                if v.null != nil { continue }
                guard let entries = v.mapping else {
                    throw ConfigurationError(refusing: name, expected: "expected a mapping of keys", got: render(v), source: source)
                }
                for (k2, _) in entries {
                    let sub = k2.string ?? "\(k2)"
                    guard keys.contains(sub) else { throw unknown("\(name).\(sub)") }
                    sources["\(name).\(sub)"] = source
                }
                out[name] = v
            } else {
                guard knownKeys.contains(name) else { throw unknown(name) }
                sources[name] = source
                out[name] = v
            }
        }
        return out
    }

    /// Sets `section.key` (or a top-level `key`) in `tree`, creating the section if absent.
    private static func set(_ value: Node, at key: String, in tree: inout Node.Mapping) {
        let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { tree[key] = value; return }
        var section = tree[parts[0]]?.mapping ?? Node.Mapping([])
        section[parts[1]] = value
        tree[parts[0]] = .mapping(section)
    }

    /// The value at `section.key` in `tree`, if written there.
    private static func value(at key: String, in tree: Node.Mapping) -> Node? {
        let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return tree[key] }
        return tree[parts[0]]?.mapping?[parts[1]]
    }

    /// A value as the error prints it: a scalar as written (`0.9`, `25:30`), a list or mapping as
    /// the values it parses to (`["gb", "xgb"]`).
    private static func render(_ node: Node) -> String {
        if let scalar = node.scalar { return scalar.string }
        return "\(Constructor.default.any(from: node))"
    }

    /// `error` with its source (the file or the environment variable that set the key) and the
    /// value as written.
    private static func located(_ error: ConfigurationError, tree: Node.Mapping, sources: [String: String], file: String?) -> ConfigurationError {
        guard let expected = error.expected else { return error }
        let got = value(at: error.key, in: tree).map(render)
        guard let got else {
            var e = error
            e.source = sources[error.key] ?? file ?? "defaults"
            return e
        }
        return ConfigurationError(refusing: error.key, expected: expected, got: got, source: sources[error.key] ?? file ?? "defaults")
    }
}
