import Foundation
import KQL

/// Writes the Windows XML Event Log format the way Windows does, for benchmarks and tests: 64 KiB
/// chunks of records; in each chunk a template is defined by its first record and referenced by the
/// others, names are stored once and referenced by offset; CRC-32 checksums on the file header, the
/// chunk headers and the records. The regression set's files hold one event per chunk, which says
/// nothing about reading a busy host's log: this makes one. Pure: events in, bytes out.
public struct EvtxWriter {
    /// An event's shape: XML whose substitution slots are `slot(i, type)`; an event supplies the values.
    public struct Template: Sendable {
        public var id: UInt32
        public var body: EvtxElement
        public init(id: UInt32, body: EvtxElement) { self.id = id; self.body = body }

        /// A substitution slot (as an element child or as an attribute's value) of value `type`
        /// (binary XML's value types: 0x01 string, 0x04/0x06/0x08/0x0a unsigned, 0x11 FILETIME, 0x13 SID, ...).
        public static func slot(_ index: Int, _ type: UInt8) -> EvtxNode {
            .element(EvtxElement(name: ChunkReader.substitutionName, attributes: [("id", .unsigned(UInt64(index))), ("type", .unsigned(UInt64(type)))], children: []))
        }
    }

    var chunks: [[UInt8]] = []
    var chunk: [UInt8] = []
    var names: [String: Int] = [:]
    var templates: [UInt32: Int] = [:]
    var firstRecord: UInt64 = 0
    var lastRecord: UInt64 = 0
    var lastRecordOffset = 0
    var nextRecord: UInt64 = 1

    public init() { startChunk() }

    mutating func startChunk() {
        chunk = [UInt8](repeating: 0, count: 512)
        chunk.reserveCapacity(65536)
        names = [:]; templates = [:]
        firstRecord = nextRecord; lastRecord = nextRecord; lastRecordOffset = 0
    }

    /// An instance embedded in another's value (type 0x21), as Windows writes an event's data: the
    /// System part's template, whose value `slot` is an instance of the data's own template.
    public struct Embedded {
        public var slot: Int, template: Template, values: [EvtxValue]
        public init(slot: Int, template: Template, values: [EvtxValue]) { self.slot = slot; self.template = template; self.values = values }
    }

    /// Appends one event record (a new chunk when this one is full).
    public mutating func append(_ template: Template, values: [EvtxValue], embedding: Embedded? = nil, written: Int64) {
        // The dictionaries are copied only if this record adds to them; the chunk is cut back.
        let start = chunk.count, saved = (names, templates)
        if !record(template, values, embedding, written) {
            chunk.removeSubrange(start...)
            (names, templates) = saved
            sealChunk()
            startChunk()
            _ = record(template, values, embedding, written)
        }
    }

    /// The whole file.
    public mutating func finish() -> [UInt8] {
        if chunk.count > 512 { sealChunk() }
        var header = [UInt8](repeating: 0, count: 4096)
        Self.put(&header, at: 0, Array("ElfFile\0".utf8))
        Self.put64(&header, 8, 0)
        Self.put64(&header, 16, UInt64(max(chunks.count, 1) - 1))
        Self.put64(&header, 24, nextRecord)
        Self.put32(&header, 32, 128)
        Self.put16(&header, 36, 1); Self.put16(&header, 38, 3); Self.put16(&header, 40, 4096)
        Self.put16(&header, 42, UInt16(chunks.count))
        Self.put32(&header, 124, header.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<120])) })
        return header + chunks.flatMap { $0 }
    }

    mutating func sealChunk() {
        let free = chunk.count
        chunk += [UInt8](repeating: 0, count: 65536 - free)
        Self.put(&chunk, at: 0, Array("ElfChnk\0".utf8))
        Self.put64(&chunk, 8, firstRecord); Self.put64(&chunk, 16, lastRecord)
        Self.put64(&chunk, 24, firstRecord); Self.put64(&chunk, 32, lastRecord)
        Self.put32(&chunk, 40, 128)
        Self.put32(&chunk, 44, UInt32(lastRecordOffset))
        Self.put32(&chunk, 48, UInt32(free))
        Self.put32(&chunk, 52, chunk.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[512..<free])) })
        Self.put32(&chunk, 124, chunk.withUnsafeBytes { p in
            CRC32.checksum(UnsafeRawBufferPointer(rebasing: p[128..<512]), continuing: CRC32.checksum(UnsafeRawBufferPointer(rebasing: p[0..<120])))
        })
        chunks.append(chunk)
    }

    /// One record at the end of the chunk; false (the chunk unchanged by the caller) if it does not fit.
    mutating func record(_ t: Template, _ values: [EvtxValue], _ embedded: Embedded?, _ written: Int64) -> Bool {
        let start = chunk.count
        chunk += [0x2a, 0x2a, 0, 0]
        chunk += [UInt8](repeating: 0, count: 20)
        Self.put64(&chunk, start + 8, nextRecord)
        Self.put64(&chunk, start + 16, UInt64(bitPattern: written))
        chunk += [0x0f, 0x01, 0x01, 0x00]
        instance(t, values, embedded)
        chunk.append(0x00)
        let size = chunk.count - start + 4
        append32(UInt32(size))
        Self.put32(&chunk, start + 4, UInt32(size))
        guard chunk.count <= 65536 else { return false }
        lastRecord = nextRecord; lastRecordOffset = start
        nextRecord += 1
        return true
    }

    /// A template instance: the template (defined here the first time in the chunk), then its values;
    /// an embedded instance is written in place of its value, where its offsets are true.
    mutating func instance(_ t: Template, _ values: [EvtxValue], _ embedded: Embedded?) {
        chunk += [0x0c, 0x01]
        append32(t.id)
        let defField = chunk.count
        append32(0)
        if let at = templates[t.id] {
            Self.put32(&chunk, defField, UInt32(at))
        } else {
            let at = chunk.count
            Self.put32(&chunk, defField, UInt32(at))
            templates[t.id] = at
            append32(0)
            chunk += [UInt8](repeating: 0, count: 12); append32(t.id)   // the template's GUID: its id, padded
            let sizeField = chunk.count
            append32(0)
            chunk += [0x0f, 0x01, 0x01, 0x00]
            element(t.body)
            chunk.append(0x00)
            Self.put32(&chunk, sizeField, UInt32(chunk.count - sizeField - 4))
        }
        let encoded = values.map(Self.encode)
        append32(UInt32(values.count))
        var sizeFields: [Int] = []
        for (i, (v, e)) in zip(values, encoded).enumerated() {
            sizeFields.append(chunk.count)
            append16(UInt16(e.count)); chunk += [i == embedded?.slot ? 0x21 : Self.type(v), 0]
        }
        for (i, e) in encoded.enumerated() {
            guard let embedded, i == embedded.slot else { chunk += e; continue }
            let start = chunk.count
            chunk += [0x0f, 0x01, 0x01, 0x00]
            instance(embedded.template, embedded.values, nil)
            chunk.append(0x00)
            Self.put16(&chunk, sizeFields[i], UInt16(truncatingIfNeeded: chunk.count - start))
        }
    }

    mutating func element(_ e: EvtxElement) {
        let hasAttributes = !e.attributes.isEmpty
        chunk.append(hasAttributes ? 0x41 : 0x01)
        append16(0xffff)
        let sizeField = chunk.count
        append32(0)
        name(e.name)
        if hasAttributes {
            let listField = chunk.count
            append32(0)
            for (i, a) in e.attributes.enumerated() {
                chunk.append(i == e.attributes.count - 1 ? 0x06 : 0x46)
                name(a.name)
                if case .xml(let nodes) = a.value, case .element(let slot)? = nodes.first, let (id, type) = Self.slot(slot) {
                    chunk.append(0x0e); append16(UInt16(id)); chunk.append(type)
                } else {
                    text(a.value.text)
                }
            }
            Self.put32(&chunk, listField, UInt32(chunk.count - listField - 4))
        }
        if e.children.isEmpty {
            chunk.append(0x03)
        } else {
            chunk.append(0x02)
            for c in e.children {
                switch c {
                case .element(let x):
                    if let (id, type) = Self.slot(x) { chunk.append(0x0e); append16(UInt16(id)); chunk.append(type) } else { element(x) }
                case .text(let v): text(v.text)
                }
            }
            chunk.append(0x04)
        }
        Self.put32(&chunk, sizeField, UInt32(chunk.count - sizeField - 4))
    }

    static func slot(_ e: EvtxElement) -> (Int, UInt8)? {
        guard e.name == ChunkReader.substitutionName, e.attributes.count == 2,
              case .unsigned(let id) = e.attributes[0].value, case .unsigned(let type) = e.attributes[1].value else { return nil }
        return (Int(id), UInt8(type))
    }

    mutating func text(_ s: String) {
        let units = Array(s.utf16)
        chunk += [0x05, 0x01]; append16(UInt16(units.count))
        for u in units { append16(u) }
    }

    /// A name: defined in place the first time in this chunk, referenced by offset after that.
    mutating func name(_ n: String) {
        if let at = names[n] { append32(UInt32(at)); return }
        let at = chunk.count + 4
        names[n] = at
        append32(UInt32(at))
        let units = Array(n.utf16)
        append32(0)
        append16(UInt16(truncatingIfNeeded: units.reduce(0) { $0 &* 65599 &+ UInt32($1) }))
        append16(UInt16(units.count))
        for u in units { append16(u) }
        append16(0)
    }

    static func type(_ v: EvtxValue) -> UInt8 {
        switch v {
        case .null: return 0x00
        case .string: return 0x01
        case .signed: return 0x09
        case .unsigned(let u): return u <= 0xffff ? (u <= 0xff ? 0x04 : 0x06) : (u <= 0xffff_ffff ? 0x08 : 0x0a)
        case .real: return 0x0c
        case .bool: return 0x0d
        case .hex(_, let width): return width == 64 ? 0x15 : 0x14
        case .guid: return 0x0f
        case .fileTime: return 0x11
        case .sysTime: return 0x01
        case .sid: return 0x13
        case .binary: return 0x0e
        case .array: return 0x81
        case .xml: return 0x21
        }
    }

    static func encode(_ v: EvtxValue) -> [UInt8] {
        func le(_ x: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: x >> (8 * UInt64($0))) } }
        switch v {
        case .null, .xml: return []
        case .string(let s), .sysTime(let s): return Array(s.utf16).flatMap { le(UInt64($0), 2) }
        case .signed(let i): return le(UInt64(bitPattern: i), 8)
        case .unsigned(let u):
            switch type(v) { case 0x04: return le(u, 1); case 0x06: return le(u, 2); case 0x08: return le(u, 4); default: return le(u, 8) }
        case .real(let d): return le(d.bitPattern, 8)
        case .bool(let b): return le(b ? 1 : 0, 4)
        case .hex(let x, let width): return le(x, width == 64 ? 8 : 4)
        case .fileTime(let t): return le(UInt64(bitPattern: t), 8)
        case .binary(let b): return b
        case .array(let a): return a.flatMap { $0.text.utf16.map { UInt64($0) } + [0] }.flatMap { le($0, 2) }
        case .guid(let g):
            let hex = g.filter(\.isHexDigit)
            var bytes: [UInt8] = stride(from: 0, to: min(hex.count, 32), by: 2).compactMap { i in
                UInt8(hex[hex.index(hex.startIndex, offsetBy: i)..<hex.index(hex.startIndex, offsetBy: i + 2)], radix: 16)
            }
            guard bytes.count == 16 else { return [UInt8](repeating: 0, count: 16) }
            bytes[0..<4].reverse(); bytes[4..<6].reverse(); bytes[6..<8].reverse()
            return bytes
        case .sid(let s):
            let parts = s.split(separator: "-").dropFirst().compactMap { UInt64($0) }
            guard parts.count >= 2 else { return [] }
            var out: [UInt8] = [UInt8(parts[0]), UInt8(parts.count - 2)]
            out += (0..<6).map { UInt8(truncatingIfNeeded: parts[1] >> (8 * UInt64(5 - $0))) }
            for sub in parts.dropFirst(2) { out += le(sub, 4) }
            return out
        }
    }

    mutating func append16(_ v: UInt16) { chunk.append(UInt8(v & 0xff)); chunk.append(UInt8(v >> 8)) }
    mutating func append32(_ v: UInt32) { append16(UInt16(v & 0xffff)); append16(UInt16(v >> 16)) }
    static func put(_ b: inout [UInt8], at i: Int, _ bytes: [UInt8]) { b.replaceSubrange(i..<(i + bytes.count), with: bytes) }
    static func put16(_ b: inout [UInt8], _ i: Int, _ v: UInt16) { b[i] = UInt8(v & 0xff); b[i + 1] = UInt8(v >> 8) }
    static func put32(_ b: inout [UInt8], _ i: Int, _ v: UInt32) { put16(&b, i, UInt16(v & 0xffff)); put16(&b, i + 2, UInt16(v >> 16)) }
    static func put64(_ b: inout [UInt8], _ i: Int, _ v: UInt64) { put32(&b, i, UInt32(v & 0xffff_ffff)); put32(&b, i + 4, UInt32(v >> 32)) }
}
