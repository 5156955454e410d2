import Foundation
import Testing
import KQL
import Ingestion
import Synchronization
import VigilApp
@testable import VigilStore

/// An EVTX file is stored in parts of its chunks, one per core: the rows and the reported damage are
/// those of reading it as one part.
@Suite struct EvtxPartsTests {
    static func store(_ bytes: [UInt8], parts: Int) throws -> (LogStore, LogStore.EvtxSummary, String) {
        let dir = NSTemporaryDirectory() + "vigil-evtx-parts-" + UUID().uuidString
        let store = try LogStore(workspace: Workspace.open(dir))
        return (store, try store.ingestEvtx(bytes, source: "parts.evtx", parts: parts), dir)
    }

    static func rows(_ store: LogStore, _ table: String) -> String {
        // Every stored column but the ingestion time, in an order that does not depend on the extents.
        QueryRunner(provider: store, now: 0).runJSON("\(table) | project-away _IngestionTime | order by TimeGenerated asc, tostring(EventData) asc").json
    }

    @Test func threePartsStoreTheRowsOfOne() throws {
        let bytes = EvtxSynthetic.file(events: 3_000)
        #expect(EvtxReader.chunkCount(bytes) >= 6, "enough chunks for three parts")
        let (one, s1, d1) = try Self.store(bytes, parts: 1), (three, s3, d3) = try Self.store(bytes, parts: 3)
        defer { try? FileManager.default.removeItem(atPath: d1); try? FileManager.default.removeItem(atPath: d3) }
        #expect(s1.records == 3_000 && s3.records == 3_000)
        #expect(s3.tables.map(\.accepted) == s1.tables.map(\.accepted))
        for table in ["SecurityEvent", "Event", "WindowsEvent"] {
            let a = Self.rows(one, table), b = Self.rows(three, table)
            #expect(a.count > 1_000 && a == b, "\(table) differs")
        }
        // Each part wrote its own extents.
        #expect(three.state.withLock { $0.extents["SecurityEvent"]?.count } == 3 && one.state.withLock { $0.extents["SecurityEvent"]?.count } == 1)
    }

    @Test func damageInALaterPartIsReportedAtItsOffset() throws {
        var bytes = EvtxSynthetic.file(events: 3_000)
        let chunks = EvtxReader.chunkCount(bytes)
        // The first record of the last chunk: its binary XML starts 24 bytes after its header.
        let chunk = 4096 + (chunks - 1) * 65536
        bytes[chunk + 512 + 24] = 0xee
        let (one, s1, d1) = try Self.store(bytes, parts: 1), (three, s3, d3) = try Self.store(bytes, parts: 3)
        defer { try? FileManager.default.removeItem(atPath: d1); try? FileManager.default.removeItem(atPath: d3) }
        #expect(s1.records == 2_999 && s3.records == 2_999)
        #expect(s3.problems == s1.problems && s3.problems.contains { $0.hasPrefix("offset \(chunk + 512): record") }, "\(s3.problems)")
        #expect(Self.rows(one, "SecurityEvent") == Self.rows(three, "SecurityEvent"))
    }
}
