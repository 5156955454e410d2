/// Parsed template definitions shared by the chunks of one file. Every chunk defines its templates
/// again (with the names at chunk offsets of their own), so the same definition was parsed once per
/// chunk, and the mapper compared each new tree with the ones it knew: a tenth of storing a file.
/// A definition is known again by its print: a 128-bit hash of what its parse depends on (tokens,
/// names, texts, substitutions), not of where its names sit.
final class EvtxTemplatePrints {
    struct Print: Hashable { var a: UInt64 = 0xcbf2_9ce4_8422_2325, b: UInt64 = 0x8422_2325_cbf2_9ce4 }
    var bodies: [Print: [EvtxNode]] = [:]
    /// Definitions taken from an earlier chunk's parse.
    var reused = 0
}

extension EvtxTemplatePrints.Print {
    @inline(__always) mutating func add(_ byte: UInt8) {
        a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        b = (b &+ UInt64(byte) &+ 1) &* 0x9E37_79B9_7F4A_7C15
        b ^= b >> 29
    }
    mutating func add(_ v: Int) { for k in 0..<4 { add(UInt8(truncatingIfNeeded: v >> (8 * k))) } }
}

extension ChunkReader {
    typealias Print = EvtxTemplatePrints.Print

    /// The print of the fragment in `start..<end`, reading exactly what `fragment` reads; nil for a
    /// shape it does not follow (an embedded template instance), which is parsed as before. Damage
    /// throws: the parse then reports it as it always did.
    func print(at start: Int, end: Int) throws -> Print? {
        var p = Print(), pos = start
        while pos < end {
            let t = try u8(pos)
            p.add(t)
            switch t {
            case 0x00: return p
            case 0x0f: pos += 4
            case 0x01, 0x41: pos = try printElement(at: pos, depth: 1, into: &p)
            default: return nil
            }
        }
        return p
    }

    /// A name's characters (where it is stored does not matter).
    func printName(at offset: Int, into p: inout Print) throws {
        let chars = try u16(offset + 6)
        try need(offset + 8, 2 * chars)
        p.add(chars)
        for i in 0..<(2 * chars) { p.add(chunk[offset + 8 + i]) }
    }

    func printText(at pos: Int, chars: Int, into p: inout Print) throws {
        try need(pos, 2 * chars)
        p.add(chars)
        for i in 0..<(2 * chars) { p.add(chunk[pos + i]) }
    }

    /// `element`'s reads, into the print; where the element ends.
    func printElement(at start: Int, depth: Int, into p: inout Print) throws -> Int {
        guard depth < 100 else { throw Failure(message: "elements nested more than 100 deep") }
        let token = try u8(start)
        var pos = start + 1 + 2 + 4
        let nameOffset = try u32(pos); pos += 4
        pos = try skipName(nameOffset, at: pos)
        try printName(at: nameOffset, into: &p)
        if token & 0x40 != 0 {
            pos += 4
            while true {
                let a = try u8(pos)
                guard a & 0x3f == 0x06 else { break }
                p.add(a)
                pos += 1
                let off = try u32(pos); pos += 4
                pos = try skipName(off, at: pos)
                try printName(at: off, into: &p)
                pos = try printAttributeValue(at: pos, into: &p)
                if a & 0x40 == 0 { break }
            }
        }
        let close = try u8(pos); pos += 1
        p.add(close)
        if close == 0x03 { return pos }
        guard close == 0x02 else { throw Failure(message: "element without a close token") }
        while true {
            let t = try u8(pos)
            p.add(t & 0x3f)
            switch t & 0x3f {
            case 0x04: return pos + 1
            case 0x01: pos = try printElement(at: pos, depth: depth + 1, into: &p)
            case 0x05:
                let chars = try u16(pos + 2)
                try printText(at: pos + 4, chars: chars, into: &p)
                pos += 4 + 2 * chars
            case 0x0d, 0x0e:
                p.add(try u16(pos + 1))
                pos += 4
            case 0x07:
                let chars = try u16(pos + 1)
                try printText(at: pos + 3, chars: chars, into: &p)
                pos += 3 + 2 * chars
            case 0x08:
                p.add(try u16(pos + 1))
                pos += 3
            case 0x09:
                let off = try u32(pos + 1)
                pos = try skipName(off, at: pos + 5)
                try printName(at: off, into: &p)
            default: throw Failure(message: "unexpected token at \(pos)")
            }
        }
    }

    /// `attributeValue`'s reads, into the print; where the value ends.
    func printAttributeValue(at start: Int, into p: inout Print) throws -> Int {
        var pos = start
        while true {
            let t = try u8(pos)
            switch t & 0x3f {
            case 0x05:
                p.add(0x05)
                let chars = try u16(pos + 2)
                try printText(at: pos + 4, chars: chars, into: &p)
                pos += 4 + 2 * chars
            case 0x0d, 0x0e:
                p.add(0x0d)
                p.add(try u16(pos + 1))
                pos += 4
            case 0x08:
                p.add(0x08)
                p.add(try u16(pos + 1))
                pos += 3
            case 0x09:
                p.add(0x09)
                let off = try u32(pos + 1)
                pos = try skipName(off, at: pos + 5)
                try printName(at: off, into: &p)
            default:
                p.add(0xff)
                return pos
            }
            if t & 0x40 == 0 { p.add(0xfe); return pos }
        }
    }
}
