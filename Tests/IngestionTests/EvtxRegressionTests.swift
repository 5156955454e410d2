import Foundation
import Ingestion
import Testing

/// The EVTX reader against the Sigma regression set: every `.evtx` there has its events rendered as
/// `.json` beside it (evtx_dump's shape). Every file must read without a problem, with as many events
/// as the rendering, and every field of every event equal to it (238 events in 202 files).
@Suite struct EvtxRegressionTests {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data/sigma/regression_data").standardized
    }

    /// Top-level JSON objects of a file that may hold several one after another.
    static func objects(_ text: String) -> [Any] {
        var out: [Any] = [], depth = 0, start: String.Index?, inString = false, escaped = false
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
            } else if c == "\"" { inString = true }
            else if c == "{" { if depth == 0 { start = i }; depth += 1 }
            else if c == "}" {
                depth -= 1
                if depth == 0, let s = start, let o = try? JSONSerialization.jsonObject(with: Data(text[s...i].utf8)) { out.append(o) }
            }
            i = text.index(after: i)
        }
        return out
    }

    static func canonical(_ o: Any) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: o, options: [.sortedKeys, .fragmentsAllowed])) ?? Data(), as: UTF8.self)
    }

    @Test func everyRecordingReadsAndMatchesItsRendering() throws {
        let files = (FileManager.default.enumerator(atPath: Self.root.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".evtx") }.sorted()
        #expect(files.count >= 200)
        var events = 0, equal = 0, known = 0, problems: [String] = [], countMismatch: [String] = [], firstDiffs: [String] = []
        for f in files {
            let bytes = [UInt8](try Data(contentsOf: Self.root.appendingPathComponent(f)))
            let r = EvtxReader.read(bytes)
            problems += r.problems.map { "\(f): \($0)" }
            let jsonPath = Self.root.appendingPathComponent(String(f.dropLast(5)) + ".json").path
            guard let text = try? String(contentsOfFile: jsonPath, encoding: .utf8) else { continue }
            let expected = Self.objects(text)
            if expected.count != r.records.count { countMismatch.append("\(f): \(r.records.count) read, \(expected.count) rendered") }
            for (rec, exp) in zip(r.records, expected) {
                events += 1
                let got = Self.canonical(EvtxJSON.object(rec.event)), want = Self.canonical(exp)
                if got == want { equal += 1 }
                // This rendering came from another tool, or was edited: the recording's bytes say
                // "Explorer.EXE", and its SystemTime keeps the 100 ns digits that every other rendering drops.
                else if f.hasSuffix("ad691d92-15f2-4181-9aa4-723c74f9ddc3.evtx"),
                        got.replacingOccurrences(of: "Explorer.EXE", with: "Explorer.exe").replacingOccurrences(of: "26.751156Z", with: "26.751156500Z") == want { known += 1 }
                else { firstDiffs.append("\(f)\n got:  \(got.prefix(1500))\n want: \(want.prefix(1500))") }
            }
        }
        #expect(problems.isEmpty, "\(problems.prefix(10))")
        #expect(countMismatch.isEmpty, "\(countMismatch.prefix(10))")
        #expect(events >= 238)
        #expect(known == 1)
        #expect(firstDiffs.isEmpty, "\(firstDiffs.count) events differ from their rendering: \(firstDiffs.prefix(3))")
        #expect(equal + known == events)
    }
}

/// Damage is reported with its offset and skipped; no byte pattern crashes the reader.
@Suite struct EvtxDamageTests {
    static func multiRecordFile() throws -> [UInt8] {
        let root = EvtxRegressionTests.root
        let files = (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".evtx") }.sorted()
        for f in files {
            let bytes = [UInt8](try Data(contentsOf: root.appendingPathComponent(f)))
            if EvtxReader.read(bytes).records.count >= 3 { return bytes }
        }
        throw CocoaError(.fileNoSuchFile)
    }

    @Test func aDamagedRecordIsReportedAndTheOthersAreRead() throws {
        var bytes = try Self.multiRecordFile()
        let whole = EvtxReader.read(bytes)
        // The first record's binary XML starts 24 bytes after its signature (chunk at 4096, records at 512).
        bytes[4096 + 512 + 24] = 0xee
        let r = EvtxReader.read(bytes)
        #expect(r.records.count == whole.records.count - 1)
        // The chunk's records checksum no longer matches; the damaged record is named and skipped.
        #expect(r.problems.count == 2, "\(r.problems)")
        #expect(r.problems.first?.offset == 4096 && r.problems.first?.message.hasPrefix("chunk's event records checksum mismatch") == true, "\(r.problems)")
        #expect(r.problems.last?.offset == 4096 + 512)
        #expect(r.problems.last?.message.contains("unexpected token 0xee") == true, "\(r.problems)")
        #expect(r.records.map(\.id) == Array(whole.records.map(\.id).dropFirst()))
    }

    /// The CRC-32s of the file header, the chunk header and the records (RFC 1952, as the format
    /// specifies): the recordings all match; damage outside any record is still reported, and every
    /// record is still read.
    @Test func checksumsAreCheckedAndReported() throws {
        let original = try Self.multiRecordFile()
        let whole = EvtxReader.read(original)
        #expect(whole.problems.isEmpty, "\(whole.problems)")
        var header = original
        header[50] ^= 0xff  // in the file header's unused bytes, under its checksum
        let h = EvtxReader.read(header)
        #expect(h.problems.map(\.offset) == [0] && h.problems.first?.message.hasPrefix("file header checksum mismatch") == true, "\(h.problems)")
        #expect(h.records.count == whole.records.count)
        var dirty = header
        dirty[120] |= 1  // a file still being written: its header checksum may be stale
        #expect(EvtxReader.read(dirty).problems.isEmpty)
        var chunk = original
        chunk[4096 + 60] ^= 0xff  // in the chunk header's unused bytes
        let c = EvtxReader.read(chunk)
        #expect(c.problems.map(\.offset) == [4096] && c.problems.first?.message.hasPrefix("chunk header checksum mismatch") == true, "\(c.problems)")
        #expect(c.records.count == whole.records.count)
    }

    @Test func randomDamageNeverCrashes() throws {
        let original = try Self.multiRecordFile()
        var rng = SeededBytes(state: 0x5eed)
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...40, using: &rng) {
                let i = Int.random(in: 4096..<bytes.count, using: &rng)
                bytes[i] = UInt8.random(in: 0...255, using: &rng)
            }
            _ = EvtxReader.read(bytes)
        }
        #expect(EvtxReader.read(Array(original.prefix(100))).problems.first?.message == "not an EVTX file (no ElfFile signature)")
    }
}

/// A fixed-seed generator (SplitMix64): the damage is the same on every run.
struct SeededBytes: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
