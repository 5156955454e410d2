import Foundation

/// One record's substitution values as the UTF-8 text an XML rendering shows, back to back in one
/// reused buffer, with the integers kept as numbers: a record is mapped without a String or an
/// `EvtxValue` per value. The texts are `EvtxValue.text`'s, byte for byte (the rare types are
/// rendered through it).
struct EvtxSlots {
    var bytes: [UInt8] = []
    var start: [Int] = []
    var end: [Int] = []
    /// Binary XML's value type (0 for null); a missing substitution reads as null.
    var type: [UInt8] = []
    /// The value of integer types, the FILETIME of 0x11; 0 otherwise.
    var number: [Int64] = []

    init() { bytes.reserveCapacity(8192) }

    mutating func clear() {
        bytes.removeAll(keepingCapacity: true); start.removeAll(keepingCapacity: true); end.removeAll(keepingCapacity: true)
        type.removeAll(keepingCapacity: true); number.removeAll(keepingCapacity: true)
    }

    @inline(__always) func isNull(_ i: Int) -> Bool { i >= type.count || type[i] == 0 }
    @inline(__always) func range(_ i: Int) -> Range<Int> { i < start.count ? start[i]..<end[i] : 0..<0 }
    @inline(__always) func isInteger(_ i: Int) -> Bool { i < type.count && (0x03...0x0a).contains(type[i]) }

    /// The values of the instance whose descriptors start at `descriptors`, read from the chunk
    /// (after the ones already read when `appending`, for an embedded instance).
    mutating func read(_ reader: inout ChunkReader, descriptors: Int, count: Int, appending: Bool = false) throws {
        if !appending { clear() }
        var pos = descriptors + 4 * count
        let base = reader.chunk.base
        for i in 0..<count {
            let size = Int(reader.chunk.le16(descriptors + 4 * i)), t = reader.chunk[descriptors + 4 * i + 2]
            // A fixed-size type is read at its width whatever its stated size (as `ChunkReader.value`
            // reads it): past the chunk is damage, reported like the view reports it.
            try reader.need(pos, max(size, Self.width(t, size: size)))
            start.append(bytes.count); type.append(t); number.append(0)
            // The file's bytes in place: a value is read without retaining the file per read.
            let done = reader.chunk.file.withUnsafeBufferPointer { render($0, at: base + pos, size: size, type: t) }
            if !done { bytes.append(contentsOf: try Self.rare(&reader, at: pos, size: size, type: t).utf8) }
            end.append(bytes.count)
            pos += size
        }
    }

    /// The bytes `render` reads of a value of type `t` beyond its stated size.
    static func width(_ t: UInt8, size: Int) -> Int {
        switch t {
        case 0x03, 0x04: return 1
        case 0x05, 0x06: return 2
        case 0x07, 0x08, 0x14: return 4
        case 0x09, 0x0a, 0x11, 0x15: return 8
        case 0x0d: return size >= 4 ? 4 : 1
        case 0x10: return size == 8 ? 8 : 4
        default: return 0
        }
    }

    static let hexUpper = Array("0123456789ABCDEF".utf8)
    static let hexLower = Array("0123456789abcdef".utf8)

    @inline(__always) static func le16(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    @inline(__always) static func le32(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt32 { UInt32(le16(b, i)) | UInt32(le16(b, i + 2)) << 16 }
    @inline(__always) static func le64(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt64 { UInt64(le32(b, i)) | UInt64(le32(b, i + 4)) << 32 }

    /// The value at file offset `p` as text; false for the types `rare` renders.
    mutating func render(_ f: UnsafeBufferPointer<UInt8>, at p: Int, size: Int, type t: UInt8) -> Bool {
        switch t {
        case 0x00, 0x21: break  // an embedded fragment is read as its own instance
        case 0x01:
            var n = size / 2
            while n > 0 && Self.le16(f, p + 2 * (n - 1)) == 0 { n -= 1 }
            // ASCII, nearly all of a log's text, is its UTF-16's low bytes.
            let at = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: n))
            let ascii = bytes.withUnsafeMutableBufferPointer { out -> Bool in
                for i in 0..<n {
                    let lo = f[p + 2 * i], hi = f[p + 2 * i + 1]
                    guard hi == 0, lo < 0x80 else { return false }
                    out[at + i] = lo
                }
                return true
            }
            if !ascii { bytes.removeSubrange(at...); return false }
        case 0x03, 0x05, 0x07, 0x09:
            let v: Int64
            switch t {
            case 0x03: v = Int64(Int8(bitPattern: f[p]))
            case 0x05: v = Int64(Int16(truncatingIfNeeded: Self.le16(f, p)))
            case 0x07: v = Int64(Int32(truncatingIfNeeded: Self.le32(f, p)))
            default: v = Int64(bitPattern: Self.le64(f, p))
            }
            number[number.count - 1] = v
            decimal(v.magnitude, negative: v < 0)
        case 0x04, 0x06, 0x08, 0x0a:
            let v: UInt64 = t == 0x04 ? UInt64(f[p]) : t == 0x06 ? UInt64(Self.le16(f, p)) : t == 0x08 ? UInt64(Self.le32(f, p)) : Self.le64(f, p)
            number[number.count - 1] = Int64(truncatingIfNeeded: v)
            decimal(v, negative: false)
        case 0x0d:
            let on = size >= 4 ? Self.le32(f, p) != 0 : f[p] != 0
            bytes.append(contentsOf: on ? Self.trueText : Self.falseText)
        case 0x0f where size >= 16: Self.writeGUID(f, at: p, into: &bytes)
        case 0x10, 0x14, 0x15:
            hex(t == 0x15 || (t == 0x10 && size == 8) ? Self.le64(f, p) : UInt64(Self.le32(f, p)))
        case 0x11:
            let ft = Int64(bitPattern: Self.le64(f, p))
            number[number.count - 1] = ft
            let at = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: 27))
            bytes.withUnsafeMutableBufferPointer { b in _ = EvtxValue.isoDigits(ft, into: b.baseAddress! + at) }
        case 0x13 where size >= 8: Self.writeSID(f, at: p, size: size, into: &bytes)
        case 0x0e, 0x0f, 0x13:
            for i in 0..<size { let byte = f[p + i]; bytes.append(Self.hexUpper[Int(byte >> 4)]); bytes.append(Self.hexUpper[Int(byte & 15)]) }
        default:
            return false
        }
        return true
    }

    static let guidOrder = [3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15]

    /// Text beyond ASCII, reals, ANSI strings, SYSTEMTIMEs, arrays and unknown types: as the value
    /// renders itself.
    static func rare(_ reader: inout ChunkReader, at p: Int, size: Int, type t: UInt8) throws -> String {
        t == 0x01 ? try reader.utf16(p, chars: size / 2) : try reader.value(at: p, size: size, type: t).text
    }

    static let trueText = Array("true".utf8), falseText = Array("false".utf8)

    mutating func decimal(_ v: UInt64, negative: Bool) { Self.writeDecimal(v, negative: negative, into: &bytes) }

    static func writeDecimal(_ v: UInt64, negative: Bool, into out: inout [UInt8]) {
        if negative { out.append(UInt8(ascii: "-")) }
        if v < 10 { out.append(UInt8(ascii: "0") + UInt8(v)); return }
        let at = out.count
        var v = v
        while v > 0 { out.append(UInt8(ascii: "0") + UInt8(v % 10)); v /= 10 }
        out[at...].reverse()
    }

    /// A GUID's 16 bytes as `D1-D2-D3-D4[0..2]-D4[2..8]` in upper-case hex: the first three
    /// little-endian, the rest as stored (also `ChunkReader.value`'s text of a GUID).
    static func writeGUID(_ f: UnsafeBufferPointer<UInt8>, at p: Int, into out: inout [UInt8]) {
        for o in guidOrder {
            if o < 0 { out.append(UInt8(ascii: "-")); continue }
            let byte = f[p + o]
            out.append(hexUpper[Int(byte >> 4)]); out.append(hexUpper[Int(byte & 15)])
        }
    }

    /// A SID (`size` >= 8 bytes) as `S-revision-authority-sub-...`.
    static func writeSID(_ f: UnsafeBufferPointer<UInt8>, at p: Int, size: Int, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "S")); out.append(UInt8(ascii: "-"))
        writeDecimal(UInt64(f[p]), negative: false, into: &out)
        var authority: UInt64 = 0
        for i in 0..<6 { authority = authority << 8 | UInt64(f[p + 2 + i]) }
        out.append(UInt8(ascii: "-")); writeDecimal(authority, negative: false, into: &out)
        for i in 0..<Int(f[p + 1]) where 8 + 4 * i + 4 <= size {
            out.append(UInt8(ascii: "-")); writeDecimal(UInt64(le32(f, p + 8 + 4 * i)), negative: false, into: &out)
        }
    }

    mutating func hex(_ v: UInt64) {
        bytes.append(UInt8(ascii: "0")); bytes.append(UInt8(ascii: "x"))
        if v == 0 { bytes.append(UInt8(ascii: "0")); return }
        let at = bytes.count
        var v = v
        while v > 0 { bytes.append(Self.hexLower[Int(v & 15)]); v >>= 4 }
        bytes[at...].reverse()
    }
}
