import Foundation
import Ingestion
import Testing

/// The writer packs records as Windows does (templates defined once per chunk, then referenced) and
/// the reader gets every event back: the benchmark's busy-host file is a valid log.
@Suite struct EvtxWriterTests {
    typealias T = EvtxWriter.Template

    static func logon() -> T {
        T(id: 7, body: EvtxElement(name: "Event", attributes: [], children: [
            .element(EvtxElement(name: "System", attributes: [], children: [
                .element(EvtxElement(name: "EventID", attributes: [], children: [T.slot(0, 0x06)])),
                .element(EvtxElement(name: "TimeCreated", attributes: [("SystemTime", .xml([T.slot(1, 0x11)]))], children: [])),
                .element(EvtxElement(name: "Channel", attributes: [], children: [.text(.string("Security"))])),
            ])),
            .element(EvtxElement(name: "EventData", attributes: [], children: [
                .element(EvtxElement(name: "Data", attributes: [("Name", .string("TargetUserName"))], children: [T.slot(2, 0x01)])),
                .element(EvtxElement(name: "Data", attributes: [("Name", .string("TargetUserSid"))], children: [T.slot(3, 0x13)])),
                .element(EvtxElement(name: "Data", attributes: [("Name", .string("TargetLogonId"))], children: [T.slot(4, 0x15)])),
            ])),
        ]))
    }

    @Test func manyEventsComeBackThroughTheReaderAcrossChunks() throws {
        var w = EvtxWriter()
        let n = 3_000
        for i in 0..<n {
            w.append(Self.logon(), values: [.unsigned(4624), .fileTime(133_620_000_000_000_000 + Int64(i) * 10_000_000), .string("user\(i)"),
                                            .sid("S-1-5-21-1-2-3-\(1000 + i)"), .hex(UInt64(i), width: 64)], written: 133_620_000_000_000_000)
        }
        let bytes = w.finish()
        let chunks = (bytes.count - 4096) / 65536
        #expect(chunks >= 2 && chunks < n / 20, "a template is defined once per chunk, so many events share a chunk")
        let r = EvtxReader.read(bytes)
        #expect(r.problems.isEmpty, "\(r.problems.prefix(3))")
        #expect(r.records.count == n)
        #expect(r.records.map(\.id) == (1...UInt64(n)).map { $0 })
        let last = try #require(r.records.last)
        #expect(EvtxTables.fields(last.event) == ["TargetUserName": "user2999", "TargetUserSid": "S-1-5-21-1-2-3-3999", "TargetLogonId": "0xbb7"])
        #expect(last.event.child("System")?.child("Channel")?.text == "Security")
        #expect(last.event.child("System")?.child("TimeCreated")?.attributes.first?.value == .fileTime(133_620_000_000_000_000 + 2_999 * 10_000_000))
    }

    @Test func aDamagedWrittenChunkIsReportedByItsChecksum() throws {
        var w = EvtxWriter()
        for i in 0..<200 { w.append(Self.logon(), values: [.unsigned(4624), .fileTime(Int64(i)), .string("u"), .sid("S-1-5-18"), .hex(1, width: 64)], written: 0) }
        var bytes = w.finish()
        bytes[4096 + 512 + 100] ^= 0xff
        #expect(EvtxReader.read(bytes).problems.contains { $0.message.contains("checksum mismatch") })
    }
}
