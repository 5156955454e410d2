import Ingestion
import KQL
import Testing

/// A string column keeps every value whether it is interned (repeating values) or, once found mostly
/// distinct after its first 4,096 values, kept as it comes.
@Suite struct ColumnAppenderTests {
    static func column(_ texts: [String]) -> Column {
        var a = Ingestion.ColumnAppender(type: .string)
        for t in texts {
            if t == "<null>" { a.appendNull(); continue }
            var s = t
            s.withUTF8 { _ = a.append($0, kind: Ingestion.FieldKind.text) }
        }
        return a.finish()
    }

    @Test func aMostlyDistinctColumnKeepsEveryValueInOrder() {
        let texts = (0..<5_000).map { "<EventData><Data Name=\"ProcessId\">\($0)</Data></EventData>" } + ["<null>", "same", "same", ""] + ["x\u{e9}"]
        let c = Self.column(texts)
        guard case .string(let values) = c.data else { Issue.record("expected a plain column, got \(c.data)"); return }
        #expect(values == texts.map { $0 == "<null>" ? "" : $0 })
    }

    @Test func aRepeatingColumnStaysADictionary() {
        let texts = (0..<6_000).map { "host-\($0 % 40)" }
        let c = Self.column(texts)
        guard case .dict(let codes, let values) = c.data else { Issue.record("expected a dictionary, got \(c.data)"); return }
        #expect(values.count == 40 && codes.map { values[Int($0)] } == texts)
    }
}
