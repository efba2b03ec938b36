import Foundation

/// libFuzzer's entry point for longer, coverage-guided runs of the input validators
/// (docs/TESTING.md, "Fuzzed imports"): the first byte picks the validator, the rest is the file.
/// Built with TradingDomain's sources as one module by scripts/fuzz-validators.sh.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzValidators(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    guard let start, count > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    let data = Data(bytes.dropFirst())
    let file = "fuzz.csv"
    func located(_ errors: [InputError]) {
        for e in errors where e.file != file || e.line < 1 { fatalError("an error without FILE:LINE: \(e)") }
    }
    if bytes[0] % 6 == 5 {
        located(SignalInput.validateJSONLines(data, file: file).errors)
        return 0
    }
    let table: CSVTable
    do { table = try CSVTable.parse(data, file: file) } catch {
        located([error])
        return 0
    }
    switch bytes[0] % 6 {
    case 0:
        let v = BarInput.validate(table, file: file, defaultSymbol: "FUZZ")
        located(v.errors)
        for r in v.items where !(r.bar.high >= max(r.bar.open, r.bar.close) && r.bar.low <= min(r.bar.open, r.bar.close) && r.bar.low > 0) {
            fatalError("an accepted bar breaks the OHLC rules: \(r)")
        }
    case 1: located(SignalInput.validate(table, file: file).errors)
    case 2: located(ReferenceInput.symbols(table, file: file).errors)
    case 3: located(ReferenceInput.events(table, file: file).errors)
    default: located(ReferenceInput.external(table, file: file).errors)
    }
    return 0
}
