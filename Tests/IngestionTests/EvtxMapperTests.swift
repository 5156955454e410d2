import Foundation
import Ingestion
import KQL
import Testing

/// The template-plan mapper (what ingest runs) writes exactly the rows of the reference mapping
/// through the event view (`EvtxReader.scan` + `EvtxTables.append`): on every recording of the Sigma
/// regression set, and on templates made to hit each corner of the view's reading.
@Suite struct EvtxMapperTests {
    typealias T = EvtxWriter.Template

    static func batches() -> EvtxTables.Batches {
        EvtxTables.Batches { t in BatchBuilder(table: t, schema: SchemaCatalog.builtIn[t] ?? Schema([]), policy: .fixed, source: "test", ingestionTime: 0) }
    }

    /// The three tables as (table, column names, rows), by the reference path and by the mapper.
    static func both(_ bytes: [UInt8]) -> (reference: [String], mapped: [String], records: Int, planned: Int) {
        var a = batches(), b = batches()
        _ = EvtxReader.scan(bytes) { v, id, written in EvtxTables.append(v, id: id, written: written, into: &a) }
        var mapper = EvtxMapper()
        let (records, _) = mapper.map(bytes, into: &b) { _, _ in }
        func render(_ x: inout EvtxTables.Batches) -> [String] {
            [x.security.finish(), x.event.finish(), x.windows.finish()].flatMap { t in
                t.rows.map { row in zip(t.schema.columns, row).map { "\($0.name)=\($1.kqlString)" }.joined(separator: " | ") }
            }
        }
        return (render(&a), render(&b), records, mapper.planned)
    }

    @Test func everyRecordingMapsAsTheViewMapsIt() throws {
        let root = EvtxRegressionTests.root
        let files = (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".evtx") }.sorted()
        #expect(files.count >= 200)
        var rows = 0, planned = 0, records = 0, differing: [String] = []
        for f in files {
            let (reference, mapped, n, p) = Self.both([UInt8](try Data(contentsOf: root.appendingPathComponent(f))))
            rows += mapped.count; planned += p; records += n
            #expect(n >= 1)
            if reference != mapped {
                let first = zip(reference, mapped).first { $0 != $1 }
                differing.append("\(f): \(reference.count) vs \(mapped.count) rows; \(first.map { "\n  view:   \($0)\n  mapper: \($1)" } ?? "")")
            }
        }
        #expect(differing.isEmpty, "\(differing.prefix(3).joined(separator: "\n"))")
        #expect(rows >= 238)
        // Windows writes an event's data as a template embedded in the System template's instance:
        // all but 10 of the recorded events are read through the two templates' plan.
        #expect(records - planned <= 10, "\(planned) of \(records) through plans")
    }

    func el(_ name: String, _ attrs: [(String, EvtxValue)] = [], _ children: [EvtxNode] = []) -> EvtxNode {
        .element(EvtxElement(name: name, attributes: attrs, children: children))
    }

    func system(channel: EvtxNode, eventID: [EvtxNode] = [T.slot(0, 0x06)]) -> EvtxNode {
        el("System", [], [
            el("Provider", [("Name", .xml([T.slot(1, 0x01)]))]), el("EventID", [], eventID),
            el("Level", [], [T.slot(2, 0x04)]), el("Task", [], [T.slot(3, 0x06)]),
            el("TimeCreated", [("SystemTime", .xml([T.slot(4, 0x11)]))]), el("Channel", [], [channel]),
            el("Computer", [], [.text(.string("HOST-")), T.slot(5, 0x01), .text(.string(".corp"))]),
            el("Security", [("UserID", .xml([T.slot(6, 0x13)]))]),
        ])
    }

    /// Templates at the corners of the view's reading: composite and literal System texts, null
    /// attributes, all-null elements written `<x />`, names with spaces, surrounding spaces (ASCII and
    /// Unicode), escapes, repeated and unnamed `Data`, UserData, integer types read as text, and a
    /// data name given by a substitution (the view reads those events).
    @Test func templatesAtTheCornersMapAsTheViewMapsThem() throws {
        let security = T(id: 1, body: EvtxElement(name: "Event", attributes: [], children: [
            system(channel: .text(.string("Security"))),
            el("EventData", [], [
                el("Data", [("Name", .string("TargetUserName"))], [T.slot(7, 0x01)]),
                el("Data", [("Name", .string("TargetDomainName"))], [T.slot(8, 0x01)]),
                el("Data", [("Name", .string("SubjectUserName"))], [T.slot(9, 0x01)]),
                el("Data", [("Name", .string("Logon Type"))], [T.slot(10, 0x08)]),
                el("Data", [("Name", .string("CommandLine"))], [.text(.string("cmd /c ")), T.slot(11, 0x01)]),
                el("Data", [("Name", .string("CommandLine"))], [T.slot(11, 0x01)]),
                el("Data", [("Name", .string("IpAddress"))], [T.slot(12, 0x01)]),
                el("Data", [("Name", .string("Empty"))], []),
                el("Data", [("Name", .string("Status"))], [T.slot(13, 0x14)]),
            ]),
        ]))
        let sysmon = T(id: 2, body: EvtxElement(name: "Event", attributes: [("xmlns", .string("http://schemas.microsoft.com/win/2004/08/events/event"))], children: [
            system(channel: T.slot(14, 0x01), eventID: [.text(.string("1"))]),
            el("EventData", [("Extra", .xml([T.slot(15, 0x01)]))], [
                el("Data", [], [T.slot(7, 0x01)]), el("Data", [], [T.slot(8, 0x01)]), el("Binary", [], [T.slot(16, 0x0e)]),
                el("Data", [("Name", .string("Guid"))], [T.slot(17, 0x0f)]), el("Data", [("Name", .string("Signed"))], [T.slot(18, 0x07)]),
                el("Data", [("Name", .string("Real"))], [T.slot(19, 0x0c)]), el("Data", [("Name", .string("Flag"))], [T.slot(20, 0x0d)]),
            ]),
        ]))
        let userData = T(id: 3, body: EvtxElement(name: "Event", attributes: [], children: [
            system(channel: .text(.string("System"))),
            el("UserData", [], [el("LogFileCleared", [("xmlns", .string("urn:x"))], [
                el("SubjectUserName", [], [T.slot(7, 0x01)]), el("SubjectDomainName", [], [T.slot(8, 0x01)]), el("Nothing", [], [T.slot(21, 0x00)]),
            ])]),
        ]))
        let named = T(id: 4, body: EvtxElement(name: "Event", attributes: [], children: [
            system(channel: .text(.string("Security"))),
            el("EventData", [], [el("Data", [("Name", .xml([T.slot(7, 0x01)]))], [T.slot(8, 0x01)])]),
        ]))
        var w = EvtxWriter()
        let texts = ["alice", " bob\t", "CONTOSO", "-", "", "WS01$", "a<b & \"c\">", "caf\u{e9}\u{a0}", "\u{a0} x", " \u{2003}y ", "S-1-5"]
        var n: Int64 = 0
        for i in 0..<120 {
            n += 1
            let t = texts[i % texts.count], u = texts[(i / 3) % texts.count], d = texts[(i / 7) % texts.count]
            let common: [EvtxValue] = [.unsigned([4624, 4688, 4625, 1102][i % 4]), i % 5 == 0 ? .null : .string("Microsoft-Windows-\(t)"),
                                       .unsigned(UInt64(i % 6)), .unsigned(12544), i % 9 == 0 ? .null : .fileTime(133_620_000_000_000_000 + n * 10_000),
                                       .string(u), i % 2 == 0 ? .null : .sid("S-1-5-21-\(i)")]
            let data: [EvtxValue] = [i % 4 == 1 ? .null : .string(t), .string(d), .string(u), .unsigned(UInt64(i % 11)), .string(t), .string(d),
                                     i % 3 == 0 ? .null : .hex(0xc000_006d, width: 32), .string(i % 2 == 0 ? "Security" : "Microsoft-Windows-Sysmon/Operational"),
                                     i % 4 == 0 ? .null : .string(u), .binary([0, 0xab, UInt8(i)]), .guid("D1A2B3C4-0001-0002-0304-05060708090A"),
                                     .signed(-Int64(i)), .real(Double(i) / 4), .bool(i % 2 == 0), .null]
            let template = [security, sysmon, userData, named][i % 4]
            w.append(template, values: common + data, written: 133_620_000_000_000_000 + n)
        }
        let (reference, mapped, records, planned) = Self.both(w.finish())
        #expect(records == 120)
        #expect(planned == 90, "the template whose data name is a substitution is read through the view")
        #expect(reference.count == mapped.count)
        for (r, m) in zip(reference, mapped) where r != m { Issue.record("view:   \(r)\nmapper: \(m)"); break }
        // Trimmed names and domains join into Account; a machine account is typed as one.
        #expect(reference.contains { $0.contains("Account=bob\\alice | ") })
        #expect(reference.contains { $0.contains("Account=CONTOSO\\WS01$ | AccountType=Machine") })
        #expect(reference.contains { $0.contains("<Data Name=\"Empty\" />") })
    }

    /// Windows writes an event's data as an instance of its own template embedded in the System
    /// template's instance: the two templates are read as one plan, an embedded instance with fewer
    /// values than its template uses is left to the view (which reports it), and a record whose
    /// embedded value is null is read through the System template alone.
    @Test func anEmbeddedDataTemplateMapsAsTheViewMapsIt() throws {
        let outer = T(id: 1, body: EvtxElement(name: "Event", attributes: [], children: [system(channel: .text(.string("Security"))), T.slot(7, 0x21)]))
        let inner = T(id: 2, body: EvtxElement(name: "EventData", attributes: [], children: [
            el("Data", [("Name", .string("TargetUserName"))], [T.slot(0, 0x01)]), el("Data", [("Name", .string("TargetDomainName"))], [T.slot(1, 0x01)]),
            el("Data", [("Name", .string("LogonType"))], [T.slot(2, 0x08)]), el("Data", [("Name", .string("IpAddress"))], [T.slot(3, 0x01)]),
        ]))
        var w = EvtxWriter()
        for i in 0..<300 {
            let system: [EvtxValue] = [.unsigned(4624), .string("Microsoft-Windows-Security-Auditing"), .unsigned(0), .unsigned(12544),
                                       .fileTime(133_620_000_000_000_000 + Int64(i) * 10_000), .string("WS\(i % 7)"), .null, .null]
            let data: [EvtxValue] = [.string("user\(i % 13)"), .string("CONTOSO"), .unsigned(UInt64(i % 11)), i % 5 == 0 ? .null : .string("10.0.0.\(i % 250)")]
            switch i % 50 {
            case 49: w.append(outer, values: system, written: 0)
            case 48: w.append(outer, values: system, embedding: .init(slot: 7, template: inner, values: Array(data.prefix(2))), written: 0)
            default: w.append(outer, values: system, embedding: .init(slot: 7, template: inner, values: data), written: 0)
            }
        }
        let bytes = w.finish()
        let (reference, mapped, records, planned) = Self.both(bytes)
        #expect(records == 294, "six embedded instances lack values their template uses: \(EvtxReader.read(bytes).problems.prefix(1))")
        #expect(planned == 294)
        #expect(reference == mapped)
        #expect(mapped.contains { $0.contains("Account=CONTOSO\\user3 | ") && $0.contains("LogonType=3") })
    }

    /// Damaged files (bytes flipped anywhere: headers, templates, descriptors, values) neither crash the
    /// mapper nor make it disagree with the view: the same records are kept, the same rows written.
    @Test func damagedFilesMapAsTheViewMapsThem() throws {
        let root = EvtxRegressionTests.root
        let files = (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".evtx") }.sorted()
        var rng: UInt64 = 11, differing: [String] = [], damagedRecords = 0
        func next() -> Int { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return Int(rng >> 33) }
        for f in files.prefix(40) {
            let original = [UInt8](try Data(contentsOf: root.appendingPathComponent(f)))
            for _ in 0..<8 {
                var bytes = original
                // Within the first chunk's records, where the templates and values are.
                for _ in 0..<(1 + next() % 4) { bytes[4096 + 512 + next() % min(4096, bytes.count - 4608)] = UInt8(next() % 256) }
                let (reference, mapped, records, _) = Self.both(bytes)
                if records == 0 { damagedRecords += 1 }
                if reference != mapped { differing.append(f) }
            }
        }
        #expect(differing.isEmpty, "\(differing.prefix(3))")
        #expect(damagedRecords > 0, "some damage made a record unreadable")
    }
}
