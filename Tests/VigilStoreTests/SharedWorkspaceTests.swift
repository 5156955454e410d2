import Foundation
import KQL
import Testing
import VigilStore

/// Several stores (processes) on one workspace: `vigil ingest` next to `vigil serve`.
@Suite struct SharedWorkspaceTests {
    static let cols = StoreRoundTripTests.columns

    @Test func aStoreSeesWhatAnotherOneWritesMergesAndDrops() throws {
        let ws = try TestWorkspace("storage:\n  mergeBelowRows: 100000\n")
        let a = try ws.store(), b = try ws.store()
        var rng = StoreRoundTripTests.SplitMix(s: 3)
        try a.writeExtent(table: "Rand_CL", batch: StoreRoundTripTests.randomTable(&rng, rows: 100, base: TestWorkspace.now), addedColumns: Self.cols)
        // b learned of the table and its rows without reopening.
        #expect(b.schema(of: "Rand_CL") != nil)
        #expect(try b.scan("Rand_CL", request: ScanRequest(columns: ["Count"])).count == 100)
        try a.writeExtent(table: "Rand_CL", batch: StoreRoundTripTests.randomTable(&rng, rows: 50, base: TestWorkspace.now), addedColumns: Self.cols)
        try a.appendWAL(table: "Rand_CL", batch: StoreRoundTripTests.randomTable(&rng, rows: 7, base: TestWorkspace.now), addedColumns: Self.cols)
        #expect(try b.scan("Rand_CL", request: ScanRequest(columns: ["Count"])).count == 157)
        // a merges and seals: the files b knew are gone; b reloads and reads the new ones.
        #expect(try a.merge(table: "Rand_CL") == 1)
        #expect(try a.seal(force: true) == 1)
        #expect(try b.scan("Rand_CL", request: ScanRequest(columns: ["Count", "Name"])).count == 157)
        #expect(b.tableInfos().first?.extents == 2)
        #expect(b.pendingRows == 0)
    }

    @Test func concurrentSealsNeverDuplicateRows() throws {
        let ws = try TestWorkspace()
        let a = try ws.store(), b = try ws.store()
        var rng = StoreRoundTripTests.SplitMix(s: 21)
        for _ in 0..<20 {
            try a.appendWAL(table: "Rand_CL", batch: StoreRoundTripTests.randomTable(&rng, rows: 50, base: TestWorkspace.now), addedColumns: Self.cols)
        }
        // Two processes' stores and two threads of one store race to seal the same batches.
        DispatchQueue.concurrentPerform(iterations: 4) { i in _ = try? (i % 2 == 0 ? a : b).seal(force: true) }
        let c = try ws.store()
        #expect(c.pendingRows == 0)
        #expect(try c.scan("Rand_CL", request: ScanRequest(columns: ["Count"])).count == 1000)
        #expect(c.tableInfos().first?.extents == 1)
        #expect((try FileManager.default.contentsOfDirectory(atPath: ws.path + "/tables/Rand_CL")).count == 1)
    }

    @Test func onlyOldUncataloguedFilesAreRemoved() throws {
        let ws = try TestWorkspace()
        let store = try ws.store()
        var rng = StoreRoundTripTests.SplitMix(s: 5)
        try store.writeExtent(table: "Rand_CL", batch: StoreRoundTripTests.randomTable(&rng, rows: 10, base: TestWorkspace.now), addedColumns: Self.cols)
        let dir = ws.path + "/tables/Rand_CL/"
        let fm = FileManager.default
        for name in ["old-orphan.vgx", "young-orphan.vgx", "old.vgx.tmp"] { fm.createFile(atPath: dir + name, contents: Data([1, 2, 3])) }
        let old = Date().addingTimeInterval(-3600)
        try fm.setAttributes([.modificationDate: old], ofItemAtPath: dir + "old-orphan.vgx")
        try fm.setAttributes([.modificationDate: old], ofItemAtPath: dir + "old.vgx.tmp")
        _ = try ws.store()
        let left = Set(try fm.contentsOfDirectory(atPath: dir))
        #expect(!left.contains("old-orphan.vgx"))
        #expect(!left.contains("old.vgx.tmp"))
        #expect(left.contains("young-orphan.vgx"))
        #expect(left.count == 2)
    }
}
