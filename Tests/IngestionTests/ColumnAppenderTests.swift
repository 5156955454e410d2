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

    /// A guid column reads the usual spelling without a String; every spelling, usual or not, gets
    /// what `Value.parseGuid` gives (null where it gives nothing).
    @Test func aGuidColumnReadsEverySpellingAsParseGuidDoes() {
        let texts = ["D1A2B3C4-0001-0002-0304-05060708090A", "{d1a2b3c4-0001-0002-0304-05060708090a}", "d1a2b3c4000100020304050607 08090a",
                     "d1a2b3c4000100020304050607080900", " D1A2B3C4-0001-0002-0304-05060708090A ", "D1A2B3C4-0001-0002-0304-05060708090G",
                     "D1A2B3C40-001-0002-0304-05060708090A", "{D1A2B3C4-0001-0002-0304-05060708090A", "-"]
        var a = Ingestion.ColumnAppender(type: .guid)
        for t in texts { var s = t; s.withUTF8 { _ = a.append($0, kind: Ingestion.FieldKind.text) } }
        let c = a.finish()
        #expect((0..<texts.count).map { c.value(at: $0) } == texts.map { Value.parseGuid($0).map { Value.guid($0) } ?? .null })
        #expect(c.value(at: 0) == .guid("d1a2b3c4-0001-0002-0304-05060708090a"))
    }
}
