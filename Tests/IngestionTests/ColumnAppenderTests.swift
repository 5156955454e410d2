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

    /// A month of sign-ins: 20,000 accounts, about half of them new in the first 4,096 rows, each
    /// seen many times over the month: a dictionary, as the store needs it (it was stored plain).
    @Test func aColumnOfManyRepeatingValuesStaysADictionary() {
        var state: UInt64 = 12_345
        let texts = (0..<40_000).map { _ -> String in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return "user\((state >> 33) % 20_000)@contoso.com"
        }
        #expect(Set(texts.prefix(4_096)).count > 2_048)
        let c = Self.column(texts)
        guard case .dict(let codes, let values) = c.data else { Issue.record("expected a dictionary, got plain"); return }
        #expect(codes.map { values[Int($0)] } == texts)
    }

    /// A plain part (an extent stored plain) among dictionary parts joins the merged dictionary; a part
    /// that proves mostly distinct overall is kept as it comes. Values and nulls are the parts' own.
    @Test func plainPartsJoinTheDictionaryUnlessMostlyDistinct() {
        let dictPart = KQL.Column(type: .string, data: .dict(codes: [0, 1, 0], values: ["a", "b"]), nulls: [false, false, true])
        let plainPart = KQL.Column(type: .string, data: .string(["b", "c", "a"]))
        let merged = KQL.Column.concat([dictPart, plainPart, dictPart], type: .string)
        guard case .dict(_, let values) = merged.data else { Issue.record("expected a dictionary, got plain"); return }
        #expect(values.count == 3)
        #expect((0..<merged.count).map { merged.value(at: $0) } == [.string("a"), .string("b"), .null, .string("b"), .string("c"), .string("a"), .string("a"), .string("b"), .null])
        let distinct = KQL.Column(type: .string, data: .string((0..<200_000).map { "event \($0)" }))
        let mixed = KQL.Column.concat([dictPart, distinct], type: .string)
        #expect(mixed.count == 200_003)
        #expect((0..<mixed.count).allSatisfy { i in mixed.value(at: i) == (i < 3 ? dictPart.value(at: i) : .string("event \(i - 3)")) })
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

extension ColumnAppenderTests {
    /// A filter's few survivors of each extent, whose dictionaries are large (a month of command
    /// lines): the merged dictionary holds the values the rows use, not every extent's dictionary.
    @Test func fewRowsOfLargeDictionariesMergeOnlyTheValuesTheyUse() {
        let big = (0..<10_000).map { "cmd.exe /c job \($0)" }
        let partA = KQL.Column(type: .string, data: .dict(codes: [7, 9_999, 7], values: big), nulls: nil)
        let partB = KQL.Column(type: .string, data: .dict(codes: [5, 7], values: big.reversed()), nulls: [false, true])
        let merged = KQL.Column.concat([partA, partB], type: .string)
        guard case .dict(_, let values) = merged.data else { Issue.record("expected a dictionary, got plain"); return }
        #expect(values.count == 4)
        #expect((0..<merged.count).map { merged.value(at: $0) } == [.string(big[7]), .string(big[9_999]), .string(big[7]), .string(big[9_994]), .null])
    }
}
