import Foundation
import KQL

/// Reads the Windows XML Event Log format (.evtx) from memory: the file header, 64 KiB chunks, event
/// records and their binary XML (names and templates are stored once per chunk and referenced by
/// offset; a template instance supplies typed substitution values). A damaged chunk or record is
/// reported with its file offset and skipped; the others are read. The CRC-32 checksums of the file
/// header, each chunk header and each chunk's records are checked: a mismatch is reported, and the
/// records are still read one by one (each is checked on its own as it is decoded), so a file with
/// one damaged stretch loses only that stretch. Pure: bytes in, records out.
public struct EvtxReader: Sendable {
    public struct Record: Sendable {
        public var id: UInt64
        /// When the record was written, in 100 ns ticks since 1601 (FILETIME).
        public var written: Int64
        public var event: EvtxElement
    }

    public struct Problem: Sendable, CustomStringConvertible, Equatable {
        public var offset: Int
        public var message: String
        public var description: String { "offset \(offset): \(message)" }
    }

    public struct Result: Sendable {
        public var records: [Record]
        public var problems: [Problem]
    }

    struct Failure: Error { var message: String }

    public static func read(_ bytes: [UInt8]) -> Result { read(bytes, prints: EvtxTemplatePrints()) }

    /// With `prints` nil, each chunk's templates are parsed on their own (for tests of the sharing).
    static func read(_ bytes: [UInt8], prints: EvtxTemplatePrints?) -> Result {
        var records: [Record] = []
        let problems = walk(bytes, prints: prints) { reader, start, end, id, written in
            records.append(Record(id: id, written: written, event: try reader.root(at: start, end: end, id: id)))
        }
        return Result(records: records, problems: problems)
    }

    /// Every event as a view of its chunk's template and its values, in file order, without building
    /// its tree (records of other shapes are instantiated); the damaged parts are returned.
    public static func scan(_ bytes: [UInt8], _ body: (EvtxEventView, _ id: UInt64, _ written: Int64) -> Void) -> [Problem] {
        walk(bytes) { reader, start, end, id, written in
            if let (root, values) = try reader.templateView(at: start, end: end) {
                body(EvtxEventView(root: root, values: values), id, written)
            } else {
                body(EvtxEventView(root: try reader.root(at: start, end: end, id: id)), id, written)
            }
        }
    }

    /// How many 64 KiB chunks follow the file header (0 for a file that is not EVTX): the units that
    /// `walk` can read apart, each with its own strings and templates.
    public static func chunkCount(_ bytes: [UInt8]) -> Int {
        guard isEvtx(bytes) else { return 0 }
        return max(0, (bytes.count - firstChunk(bytes)) / 65536)
    }

    static func isEvtx(_ bytes: [UInt8]) -> Bool { bytes.count >= 4096 && bytes[0..<8].elementsEqual("ElfFile\0".utf8) }
    static func firstChunk(_ bytes: [UInt8]) -> Int { let h = Int(le16(bytes, 40)); return h > 0 ? h : 4096 }

    /// The file's chunks and records: `record` gets each record's binary XML (start and end in the
    /// chunk), id and time; what it throws is reported against the record and the walk goes on.
    /// `chunks` (indexes, see `chunkCount`) limits the walk to a part of the file; the part with the
    /// first chunk also checks the file header. `prints` carries parsed templates from chunk to chunk.
    static func walk(_ bytes: [UInt8], chunks: Range<Int>? = nil, prints: EvtxTemplatePrints? = EvtxTemplatePrints(), _ record: (inout ChunkReader, Int, Int, UInt64, Int64) throws -> Void) -> [Problem] {
        var problems: [Problem] = []
        guard isEvtx(bytes) else {
            return [Problem(offset: 0, message: "not an EVTX file (no ElfFile signature)")]
        }
        let first = firstChunk(bytes)
        // A file still open for writing ("dirty", flag 0x1) may carry a stale header checksum.
        if (chunks?.lowerBound ?? 0) == 0, le32(bytes, 120) & 1 == 0,
           let p = mismatch(stored: le32(bytes, 124), crc(bytes, [0..<120]), "file header", offset: 0) { problems.append(p) }
        var at = first + (chunks?.lowerBound ?? 0) * 65536
        let end = chunks.map { first + $0.upperBound * 65536 } ?? Int.max
        while at + 65536 <= bytes.count, at < end {
            defer { at += 65536 }
            guard Array(bytes[at..<(at + 8)]) == Array("ElfChnk\0".utf8) else {
                // Unused chunks at the end of a file are zero-filled.
                if bytes[at..<(at + 8)].contains(where: { $0 != 0 }) { problems.append(Problem(offset: at, message: "chunk without its ElfChnk signature: skipped")) }
                continue
            }
            let chunk = ChunkBytes(file: bytes, base: at)
            var reader = ChunkReader(chunk: chunk, prints: prints)
            let free = min(max(Int(chunk.le32(48)), 512), 65536)
            if let p = mismatch(stored: chunk.le32(124), crc(bytes, [at..<(at + 120), (at + 128)..<(at + 512)]), "chunk header", offset: at) { problems.append(p) }
            if let p = mismatch(stored: chunk.le32(52), crc(bytes, [(at + 512)..<(at + free)]), "chunk's event records", offset: at) { problems.append(p) }
            var pos = 512
            while pos + 24 <= free {
                guard chunk[pos] == 0x2a, chunk[pos + 1] == 0x2a, chunk[pos + 2] == 0, chunk[pos + 3] == 0 else { break }
                let size = Int(chunk.le32(pos + 4))
                guard size >= 28, pos + size <= 65536 else {
                    problems.append(Problem(offset: at + pos, message: "record of impossible size \(size): rest of the chunk skipped"))
                    break
                }
                let id = chunk.le64(pos + 8), written = Int64(bitPattern: chunk.le64(pos + 16))
                do {
                    try record(&reader, pos + 24, pos + size - 4, id, written)
                } catch let f as Failure {
                    problems.append(Problem(offset: at + pos, message: "record \(id): \(f.message): skipped"))
                } catch {
                    problems.append(Problem(offset: at + pos, message: "record \(id): \(error): skipped"))
                }
                pos += size
            }
        }
        return problems
    }

    /// CRC-32 (RFC 1952, initial value 0) of the ranges in order.
    static func crc(_ bytes: [UInt8], _ ranges: [Range<Int>]) -> UInt32 {
        bytes.withUnsafeBytes { p in ranges.reduce(0) { c, r in CRC32.checksum(UnsafeRawBufferPointer(rebasing: p[r]), continuing: c) } }
    }

    static func mismatch(stored: UInt32, _ computed: UInt32, _ what: String, offset: Int) -> Problem? {
        stored == computed ? nil : Problem(offset: offset, message: "\(what) checksum mismatch (stored 0x\(String(stored, radix: 16)), computed 0x\(String(computed, radix: 16))): read anyway, record by record")
    }

    static func le16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    static func le32(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(le16(b, i)) | UInt32(le16(b, i + 2)) << 16 }
    static func le64(_ b: [UInt8], _ i: Int) -> UInt64 { UInt64(le32(b, i)) | UInt64(le32(b, i + 4)) << 32 }
}
