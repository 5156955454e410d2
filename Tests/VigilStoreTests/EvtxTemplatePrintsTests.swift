import Foundation
@testable import Ingestion
import Testing
import VigilApp

/// Chunks define their templates again; a definition an earlier chunk parsed is taken from that
/// parse when its print matches. Reading with that sharing gives exactly the records and problems of
/// parsing every chunk's templates on its own: on a busy host's file, and on copies of it whose
/// later chunks were renamed or damaged.
@Suite struct EvtxTemplatePrintsTests {
    static func same(_ bytes: [UInt8]) -> (Bool, reused: Int) {
        let prints = EvtxTemplatePrints()
        let shared = EvtxReader.read(bytes, prints: prints), alone = EvtxReader.read(bytes, prints: nil)
        let equal = shared.problems == alone.problems && shared.records.count == alone.records.count
            && zip(shared.records, alone.records).allSatisfy { $0.id == $1.id && $0.written == $1.written && $0.event == $1.event }
        return (equal, prints.reused)
    }

    @Test func sharedTemplatesReadAsEachChunksOwn() {
        let bytes = EvtxSynthetic.file(events: 1_500)
        let chunks = EvtxReader.chunkCount(bytes)
        #expect(chunks >= 3)
        let (equal, reused) = Self.same(bytes)
        #expect(equal)
        #expect(reused >= chunks - 1, "later chunks take their templates from the first parse (\(reused) reused, \(chunks) chunks)")

        // An element renamed in the last chunk's definitions: that chunk's events carry the new name.
        var renamed = bytes
        let last = 4096 + (chunks - 1) * 65536
        let eventData = Array("EventData".utf16.flatMap { [UInt8($0 & 0xff), UInt8($0 >> 8)] })
        let at = (last..<(last + 65536 - eventData.count)).first { renamed[$0..<($0 + eventData.count)].elementsEqual(eventData) }
        #expect(at != nil)
        if let at { renamed[at + 10] = UInt8(ascii: "X") }  // EventData -> EventXata
        #expect(Self.same(renamed).0)
        #expect(EvtxReader.read(renamed).records.last?.event.child("EventXata") != nil)

        // Bytes flipped across the later chunks' template definitions and records.
        var rng: UInt64 = 5
        for _ in 0..<8 {
            var damaged = bytes
            for _ in 0..<3 {
                rng = rng &* 6364136223846793005 &+ 1442695040888963407
                let chunk = 1 + Int(rng >> 33) % (chunks - 1)
                rng = rng &* 6364136223846793005 &+ 1442695040888963407
                damaged[4096 + chunk * 65536 + 512 + Int(rng >> 33) % 4096] ^= UInt8(truncatingIfNeeded: rng >> 13) | 1
            }
            #expect(Self.same(damaged).0)
        }
    }
}
