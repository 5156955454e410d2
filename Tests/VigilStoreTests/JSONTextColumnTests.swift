import Foundation
import Ingestion
import KQL
import Testing
import VigilStore

/// A dynamic column whose values were set as JSON text (EVTX's `WindowsEvent.EventData`) is stored
/// as that text and reads back as the values a parsing builder makes, whether it is written as a
/// dictionary (few distinct texts) or plain, and whatever mix of texts, values and nulls fed it.
@Suite struct JSONTextColumnTests {
    static let schema = Schema([ColumnSchema("TimeGenerated", .datetime), ColumnSchema("Data", .dynamic)])

    static func batch(rows: Int, distinct: Int, keepsText: Bool) -> Table {
        var b = BatchBuilder(table: "Json_CL", schema: schema, policy: .fixed, source: "test", ingestionTime: 0)
        b.keepsJSONText = keepsText
        let data = b.resolve("Data")!, time = b.resolve("TimeGenerated")!
        for i in 0..<rows {
            b.set(time, value: .datetime(Int64(i) * 10_000_000))
            switch i % 5 {
            case 0: break  // a row without the column (its first rows are nulls before any text)
            case 1: b.set(data, value: .array([.long(Int64(i % distinct)), .string("x")]))
            default:
                let text = #"{"Image":"C:\\Windows\\cmd.exe","Id":\#(i % distinct),"Quote":"a\"b","Nested":{"k":[1,2]}}"#
                var t = text
                t.withUTF8 { b.setJSON(data, $0) }
            }
            b.endRecord()
        }
        return b.finish()
    }

    static func roundTrip(_ t: Table) throws -> [Value] {
        let (bytes, footer) = ExtentCodec.encode(t)
        let entry = try #require(footer.columns.first { $0.name == "Data" })
        let column = try bytes.withUnsafeBytes { try ExtentCodec.decodeColumn($0, entry, rows: t.count, verify: true) }
        var verified = Set<Int>()
        let all = try bytes.withUnsafeBytes { try ExtentCodec.decodeRows($0, entry, rows: t.count, select: Array(0..<Int32(t.count)), verified: &verified) }
        let values = (0..<t.count).map { column.value(at: $0) }
        #expect(values == (0..<t.count).map { all.value(at: $0) }, "a whole-column and a row-selecting read agree")
        return values
    }

    @Test func textsReadBackAsTheParsedValues() throws {
        for distinct in [3, 10_000] {
            let parsed = Self.batch(rows: 10_000, distinct: distinct, keepsText: false)
            let texts = Self.batch(rows: 10_000, distinct: distinct, keepsText: true)
            let expected = (0..<parsed.count).map { parsed.column(named: "Data")!.value(at: $0) }
            #expect(expected[0] == .null && expected[2] == Value.parseJSON(#"{"Image":"C:\\Windows\\cmd.exe","Id":2,"Quote":"a\"b","Nested":{"k":[1,2]}}"#))
            #expect(try Self.roundTrip(texts) == expected, "\(distinct) distinct texts")
            #expect(try Self.roundTrip(parsed) == expected)
        }
    }
}
