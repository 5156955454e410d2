import Foundation
import KQL
import OrderedCollections
import Testing
import VigilApp
import VigilStore

/// Property: random rows written as JSON lines or CSV, ingested into a new custom table, come back
/// from a query with the types the column names and values imply and exactly the values written.
@Suite struct IngestRoundTripTests {
    typealias Rng = StoreRoundTripTests.SplitMix

    /// Columns with what they hold; names follow Log Analytics' custom-log conventions.
    static let columns: [(String, KQLType)] = [
        ("TimeGenerated", .datetime), ("Name_s", .string), ("Score_d", .real), ("Ok_b", .bool), ("When_t", .datetime),
        ("Id_g", .guid), ("Count", .long), ("Props", .dynamic),
    ]

    static func randomRow(_ rng: inout Rng, _ i: Int) -> [Value] {
        func maybe(_ v: Value) -> Value { rng.next() % 6 == 0 ? .null : v }
        let texts = ["plain", "", "Zoë ✓ 日本", "quote \" and , comma", "multi\nline", "back\\slash", "  padded  "]
        // Increasing with i (a random sub-second part), so that ordering by time restores input order.
        let t = DateTimeParser.parse("2026-11-01")! + Int64(i) * 10_000_000 + Int64(rng.next() % 1_000_000) * 10
        return [
            .datetime(t),
            .string(rng.next() % 2 == 0 ? texts[Int(rng.next() % UInt64(texts.count))] : "u\(rng.next() % 1000)"),
            maybe(.real(Double(Int64(bitPattern: rng.next()) % 10_000_000) / 1024.0)),
            maybe(.bool(rng.next() % 2 == 0)),
            maybe(.datetime(DateTimeParser.parse("2020-01-01")! + Int64(rng.next() % 100_000_000) * 10_000_000)),
            maybe(.guid(String(format: "%08x-1234-4abc-8def-%012x", UInt32(truncatingIfNeeded: rng.next()), rng.next() % 0xFFFF_FFFF_FFFF))),
            // The first row holds a value in every column, so that one value types each column.
            i == 0 ? .long(1) : maybe(.long(Int64(bitPattern: rng.next()) >> 4)),
            maybe(.bag(["k": .long(Int64(rng.next() % 100)), "t": .string("x\(rng.next() % 9)"), "a": .array([.bool(true), .null])])),
        ]
    }

    static func jsonText(_ v: Value, _ type: KQLType) -> String {
        switch v {
        case .null: return "null"
        case .datetime(let t): return "\"" + DateTimeMath.format(t) + "\""
        case .string(let s), .guid(let s): return Value.string(s).jsonText
        case .real(let d): return "\(d)"
        default: return v.jsonText
        }
    }

    static func csvText(_ v: Value) -> String {
        let raw: String
        switch v {
        case .null: return ""
        case .datetime(let t): raw = DateTimeMath.format(t)
        case .string(let s), .guid(let s): raw = s
        case .real(let d): raw = "\(d)"
        case .bool(let b): raw = b ? "true" : "false"
        default: raw = v.jsonText
        }
        return "\"" + raw.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    @Test(arguments: ["json", "csv"])
    func randomRowsRoundTrip(format: String) throws {
        var rng = Rng(s: format == "json" ? 101 : 202)
        let rows = (0..<800).map { Self.randomRow(&rng, $0) }
        var text = ""
        if format == "json" {
            for r in rows {
                text += "{" + zip(Self.columns, r).map { "\"\($0.0.0)\":" + Self.jsonText($0.1, $0.0.1) }.joined(separator: ",") + "}\n"
            }
        } else {
            text = Self.columns.map(\.0).joined(separator: ",") + "\n"
            for r in rows { text += r.map(Self.csvText).joined(separator: ",") + "\n" }
        }
        let ws = try TestWorkspace()
        let store = try ws.store()
        var bytes = Array(text.utf8)
        let s = try bytes.withUnsafeMutableBufferPointer { try store.ingest(UnsafeBufferPointer($0), source: "random.\(format)", table: "Prop_CL") }
        #expect(s.accepted == rows.count)
        #expect(s.skipped == 0 && s.warnings == 0, "\(s.diagnostics.prefix(3))")
        let schema = try #require(store.schema(of: "Prop_CL"))
        for (name, type) in Self.columns { #expect(schema.columns.first { $0.name == name }?.type == type, "\(name)") }
        guard case .success(let res, _) = QueryRunner(provider: store, now: TestWorkspace.now)
            .run("Prop_CL | order by TimeGenerated asc | project " + Self.columns.map(\.0).joined(separator: ", ")) else {
            Issue.record("query failed"); return
        }
        let got = res[0].table.rows
        #expect(got.count == rows.count)
        for (i, (g, w)) in zip(got, rows).enumerated() {
            // Kusto strings have no null; an absent string is empty.
            let want = w.enumerated().map { c, v in v.isNull && Self.columns[c].1 == .string ? .string("") : v }
            if g != want { Issue.record("row \(i): got \(g) want \(want)"); break }
        }
    }
}
