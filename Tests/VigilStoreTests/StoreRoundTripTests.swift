import Foundation
import KQL
import OrderedCollections
import Testing
import VigilApp
import VigilStore

/// Whatever goes into the store comes back out, with its types and values, through every path:
/// extents, write-ahead batches, sealing, merging, and scans pruned by time and columns.
@Suite struct StoreRoundTripTests {
    struct SplitMix { var s: UInt64; mutating func next() -> UInt64 { s &+= 0x9E3779B97F4A7C15; var z = s; z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) &* 0x94D049BB133111EB; return z ^ (z >> 31) } }

    static let columns: [ColumnSchema] = [
        ColumnSchema("TimeGenerated", .datetime), ColumnSchema("Count", .long), ColumnSchema("Score", .real), ColumnSchema("Flag", .bool),
        ColumnSchema("Name", .string), ColumnSchema("Id", .guid), ColumnSchema("Took", .timespan), ColumnSchema("Props", .dynamic),
        ColumnSchema("Type", .string), ColumnSchema("_IngestionTime", .datetime),
    ]

    /// Random rows: nulls everywhere they can be, unicode and empty strings, extreme numbers.
    static func randomTable(_ rng: inout SplitMix, rows: Int, base: Int64) -> Table {
        let names = ["alice", "bob", "", "Zoë ✓", "CONTOSO\\svc", "a\"b,c\nd"]
        var out: [[Value]] = []
        for _ in 0..<rows {
            func maybe(_ v: Value) -> Value { rng.next() % 7 == 0 ? .null : v }
            let t = base + Int64(rng.next() % 1_000_000) * 10_000_000
            out.append([
                .datetime(t),
                maybe(.long(Int64(bitPattern: rng.next()) >> Int64(rng.next() % 64))),
                maybe(.real(Double(Int64(bitPattern: rng.next()) % 1_000_000) / 7.0)),
                maybe(.bool(rng.next() % 2 == 0)),
                .string(rng.next() % 3 == 0 ? "user\(rng.next() % 100_000)" : names[Int(rng.next() % UInt64(names.count))]),
                maybe(.guid(String(format: "%08x-0000-4000-8000-%012x", UInt32(truncatingIfNeeded: rng.next()), rng.next() % 0xFFFF_FFFF_FFFF))),
                maybe(.timespan(Int64(rng.next() % 100_000_000_000))),
                maybe(rng.next() % 2 == 0 ? .bag(["k": .long(Int64(rng.next() % 10)), "s": .string("v\(rng.next() % 5)")]) : .array([.long(1), .string("x")])),
                .string("Rand_CL"),
                .datetime(TestWorkspace.now),
            ])
        }
        return Table.from(schema: Schema(columns), rows: out)
    }

    static func sortedRows(_ t: Table) -> [[Value]] {
        t.rows.sorted { a, b in
            for (x, y) in zip(a, b) where x.kqlString != y.kqlString { return x.kqlString < y.kqlString }
            return false
        }
    }

    @Test func randomRowsComeBackExactlyThroughEveryPath() throws {
        let ws = try TestWorkspace("storage:\n  mergeBelowRows: 100000\n  targetExtentRows: 100000\n")
        let store = try ws.store()
        var rng = SplitMix(s: 42)
        var written: [Table] = []
        let added = Self.columns.filter { $0.name != "_IngestionTime" }
        for i in 0..<6 {
            let t = Self.randomTable(&rng, rows: 500 + i * 137, base: DateTimeParser.parse("2026-11-0\(i + 1)")!)
            written.append(t)
            if i % 2 == 0 { try store.writeExtent(table: "Rand_CL", batch: t, addedColumns: added) }
            else { try store.appendWAL(table: "Rand_CL", batch: t, addedColumns: added) }
        }
        let expected = Self.sortedRows(Table(schema: written[0].schema, columns: written[0].schema.columns.indices.map { c in
            Column.concat(written.map { $0.columns[c] }, type: written[0].columns[c].type) }, count: written.reduce(0) { $0 + $1.count }))
        func check(_ stage: String) throws {
            let got = try store.scan("Rand_CL", request: ScanRequest(columns: Self.columns.map(\.name)))
            #expect(got.schema.names == Self.columns.map(\.name), "\(stage)")
            #expect(got.schema.columns.map(\.type) == Self.columns.map(\.type), "\(stage)")
            #expect(Self.sortedRows(got) == expected, "\(stage)")
        }
        try check("mixed extents and write-ahead batches")
        #expect(try store.seal(force: true) == 1)
        try check("after sealing")
        #expect(try store.merge(table: "Rand_CL") == 1)
        #expect(store.tableInfos().first { $0.name == "Rand_CL" }?.extents == 1)
        try check("after merging")
        // A fresh process sees the same rows (the catalog and files are the truth, not memory).
        let reopened = try ws.store()
        let got = try reopened.scan("Rand_CL", request: ScanRequest(columns: Self.columns.map(\.name)))
        #expect(Self.sortedRows(got) == expected)
        #expect(reopened.schema(of: "Rand_CL")?.columns.map(\.type) == Self.columns.map(\.type))
    }

    @Test func timeRangeScansReadOnlyOverlappingRows() throws {
        let ws = try TestWorkspace()
        let store = try ws.store()
        var rng = SplitMix(s: 7)
        let day = Ticks.perDay
        let base = DateTimeParser.parse("2026-11-01")!
        for d in 0..<5 {
            let t = Self.randomTable(&rng, rows: 300, base: base + Int64(d) * day)
            try store.writeExtent(table: "Rand_CL", batch: t, addedColumns: Self.columns)
        }
        let from = base + 2 * day, to = base + 3 * day
        let t = try store.scan("Rand_CL", request: ScanRequest(columns: ["TimeGenerated"], timeFrom: from, timeTo: to))
        guard case .int64(let a) = t.columns[0].data else { Issue.record("TimeGenerated is not int64"); return }
        #expect(!a.isEmpty)
        #expect(a.allSatisfy { $0 >= from && $0 <= to })
        let all = try store.scan("Rand_CL", request: ScanRequest(columns: ["TimeGenerated"]))
        guard case .int64(let b) = all.columns[0].data else { return }
        #expect(a.count == b.filter { $0 >= from && $0 <= to }.count)
        #expect(t.schema.names == ["TimeGenerated"])
    }

    @Test func retentionDropsWholeOldExtents() throws {
        let ws = try TestWorkspace("retention:\n  defaultDays: 10\n")
        let store = try ws.store()
        var rng = SplitMix(s: 9)
        try store.writeExtent(table: "Rand_CL", batch: Self.randomTable(&rng, rows: 50, base: DateTimeParser.parse("2026-01-01")!), addedColumns: Self.columns)
        try store.writeExtent(table: "Rand_CL", batch: Self.randomTable(&rng, rows: 50, base: DateTimeParser.parse("2026-11-20")!), addedColumns: Self.columns)
        #expect(try store.applyRetention(now: TestWorkspace.now) == 1)
        #expect(store.tableInfos().first?.rows == 50)
        let files = try FileManager.default.contentsOfDirectory(atPath: ws.path + "/tables/Rand_CL")
        #expect(files.filter { $0.hasSuffix(".vgx") }.count == 1)
    }

    @Test func corruptExtentIsAnErrorNotACrash() throws {
        let ws = try TestWorkspace()
        let store = try ws.store()
        var rng = SplitMix(s: 11)
        try store.writeExtent(table: "Rand_CL", batch: Self.randomTable(&rng, rows: 100, base: TestWorkspace.now), addedColumns: Self.columns)
        let dir = ws.path + "/tables/Rand_CL"
        let file = try FileManager.default.contentsOfDirectory(atPath: dir).first { $0.hasSuffix(".vgx") }!
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/" + file)))
        bytes[200] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + file))
        let fresh = try ws.store()
        #expect(throws: StoreError.self) { _ = try fresh.scan("Rand_CL", request: ScanRequest(columns: ["Count", "Name", "TimeGenerated"])) }
    }

    @Test func partialReadsCheckTheBlocksTheyTouch() throws {
        let ws = try TestWorkspace()
        let store = try ws.store()
        let n = 5000
        let rows: [[Value]] = (0..<n).map { i in
            [.datetime(TestWorkspace.now + Int64(i)), .string(i == 4321 ? "needle" : "n\(i)"), .long(Int64(i))]
        }
        let schema = Schema([ColumnSchema("TimeGenerated", .datetime), ColumnSchema("Name", .string), ColumnSchema("Count", .long)])
        try store.writeExtent(table: "Part_CL", batch: Table.from(schema: schema, rows: rows), addedColumns: schema.columns)
        let dir = ws.path + "/tables/Part_CL/"
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: dir).first { $0.hasSuffix(".vgx") })
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + file)))
        let footer = try bytes.withUnsafeBytes { try ExtentCodec.footer($0) }
        let count = try #require(footer.entry("Count"))
        // Corrupt the 8 bytes of row 4321 of Count (header 8 bytes, no nulls, then 8 bytes a row).
        for k in 0..<8 { bytes[count.offset + 8 + 4321 * 8 + k] ^= 0x5A }
        try Data(bytes).write(to: URL(fileURLWithPath: dir + file))
        let fresh = try ws.store()
        let run = { (q: String) in QueryRunner(provider: fresh, now: TestWorkspace.now).run(q) }
        // A read that does not touch the damaged block is served...
        guard case .success(let ok, _) = run("Part_CL | where Name == \"n7\" | project Name, Count") else { Issue.record("clean read failed"); return }
        #expect(ok[0].table.rows == [[.string("n7"), .long(7)]])
        // ...and the one that does is refused, not answered with the damaged value.
        guard case .failure(_, let message) = run("Part_CL | where Name == \"needle\" | project Name, Count") else {
            Issue.record("a corrupt block was read without error"); return
        }
        #expect(message.contains("checksum"))
    }
}
