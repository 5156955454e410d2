public import KQL
import Crypto
import Foundation

/// Encodes tables into Vigil's columnar extent bytes and decodes single columns back without touching
/// the others. Layout (little-endian): `VGX1`, the column regions (8-byte aligned), the footer JSON,
/// its length (UInt32) and `VGX1`. Column regions:
///
/// - header: encoding (UInt8), has-nulls (UInt8), 6 bytes of padding; then, with nulls, one byte per
///   row (1 = null) padded to 8;
/// - `i64` / `f64`: 8 bytes a row; `bool`: a byte a row;
/// - `dict` (strings, guids, dynamic as JSON text): distinct count (UInt64), byte length (UInt64),
///   UInt32 offsets (count + 1, padded), the bytes (padded), then a UInt32 code per row;
/// - `str` (high-cardinality strings, and dynamic JSON texts kept by ingest when mostly distinct):
///   byte length (UInt64), UInt64 offsets (rows + 1), the bytes.
public enum ExtentCodec {
    static let magic: [UInt8] = Array("VGX1".utf8)
    public static let formatVersion = 2
    /// Checksum granularity: a partial read verifies only the blocks it touches. Small blocks, because
    /// a selective filter's survivors are spread over the whole column.
    public static let blockSize = 4096
    /// Bytes kept of each block's SHA-256: 64 bits detect corruption as surely as any storage needs,
    /// and keep the checksum list at 0.2% of the data.
    public static let digestBytes = 8

    /// The truncated SHA-256 of each block of a region, concatenated.
    static func blockDigests(_ region: UnsafeRawBufferPointer) -> Data {
        var out = Data()
        out.reserveCapacity((region.count / blockSize + 1) * digestBytes)
        var at = 0
        repeat {
            let end = min(region.count, at + blockSize)
            out.append(contentsOf: SHA256.hash(data: UnsafeRawBufferPointer(rebasing: region[at..<end])).prefix(digestBytes))
            at = end
        } while at < region.count
        return out
    }

    enum Encoding: UInt8 { case i64 = 1, f64 = 2, bool = 3, dict = 4, str = 5 }

    /// The encoded bytes of a table, with the footer that describes them.
    public static func encode(_ t: Table) -> ([UInt8], ExtentFooter) {
        var out = magic
        out.append(contentsOf: [0, 0, 0, 0])
        var entries: [ExtentFooter.ColumnEntry] = []
        var minTime: Int64? = nil, maxTime: Int64? = nil
        for (i, c) in t.columns.enumerated() {
            let start = out.count
            let (enc, stats) = encodeColumn(c, rows: t.count, into: &out)
            let digests = out.withUnsafeBufferPointer { Self.blockDigests(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer($0)[start..<out.count])) }
            let name = t.schema.columns[i].name
            entries.append(ExtentFooter.ColumnEntry(name: name, type: c.type.rawValue, encoding: "\(enc)", offset: start, length: out.count - start,
                                                    blockSHA256: digests.base64EncodedString(), blockSize: blockSize, nullCount: stats.nulls,
                                                    min: stats.min, max: stats.max, distinct: stats.distinct))
            if name == "TimeGenerated" { minTime = stats.min; maxTime = stats.max }
        }
        let footer = ExtentFooter(format: formatVersion, rows: t.count, minTime: minTime, maxTime: maxTime, columns: entries)
        let json = (try? JSONEncoder().encode(footer)) ?? Data()
        out.append(contentsOf: json)
        appendUInt32(&out, UInt32(json.count))
        out.append(contentsOf: magic)
        return (out, footer)
    }

    struct Stats { var nulls = 0; var min: Int64?; var max: Int64?; var distinct: Int? }

    static func encodeColumn(_ c: Column, rows: Int, into out: inout [UInt8]) -> (Encoding, Stats) {
        var st = Stats()
        let nulls = c.nulls
        st.nulls = nulls?.reduce(0) { $0 + ($1 ? 1 : 0) } ?? 0
        func header(_ e: Encoding) {
            out.append(e.rawValue)
            out.append(nulls == nil ? 0 : 1)
            out.append(contentsOf: [0, 0, 0, 0, 0, 0])
            if let n = nulls { out.append(contentsOf: n.map { $0 ? 1 : 0 }); pad(&out) }
        }
        switch c.data {
        case .int64(let a):
            header(.i64)
            var lo = Int64.max, hi = Int64.min
            for (i, v) in a.enumerated() where nulls == nil || !nulls![i] { lo = Swift.min(lo, v); hi = Swift.max(hi, v) }
            if lo <= hi { st.min = lo; st.max = hi }
            appendPOD(&out, a)
            return (.i64, st)
        case .double(let a):
            header(.f64)
            appendPOD(&out, a)
            return (.f64, st)
        case .bool(let a):
            header(.bool)
            out.append(contentsOf: a.map { $0 ? 1 : 0 }); pad(&out)
            return (.bool, st)
        case .dict(let codes, let values):
            header(.dict)
            writeDict(values, codes: codes, into: &out)
            st.distinct = values.count
            return (.dict, st)
        case .string(let a):
            // Re-dictionary when it pays (filters of stored tables then run once per distinct value).
            var interner = StringInterner()
            var codes: [UInt32] = []
            codes.reserveCapacity(a.count)
            var dense = true
            for (i, s) in a.enumerated() {
                let k = interner.code(s)
                codes.append(k)
                if interner.count > 65_536 && interner.count * 2 > a.count { dense = false; break }
                if StringInterner.mostlyDistinct(rows: i + 1, distinct: interner.count) { dense = false; break }
            }
            if dense {
                header(.dict)
                writeDict(interner.values, codes: codes, into: &out)
                st.distinct = interner.count
                return (.dict, st)
            }
            header(.str)
            var offsets: [UInt64] = [0]
            offsets.reserveCapacity(a.count + 1)
            var total = 0
            for s in a { total += s.utf8.count; offsets.append(UInt64(total)) }
            appendUInt64(&out, UInt64(total))
            appendPOD(&out, offsets)
            // The texts straight into the extent, its room made once (an EVTX batch's XML is ~100 MB).
            out.reserveCapacity(out.count + total + 8)
            for s in a { out.append(contentsOf: s.utf8) }
            pad(&out)
            return (.str, st)
        case .value(let a):
            header(.dict)
            // Values are interned before they are serialised: JSON text is built once per distinct value.
            var byValue: [Value: UInt32] = [:]
            var map: [String: UInt32] = [:]
            var bytes: [UInt8] = [], offsets: [UInt32] = [0]
            var codes: [UInt32] = []
            codes.reserveCapacity(a.count)
            var interning = true
            for (i, v) in a.enumerated() {
                // Each of a mostly distinct column's values is its own entry, written straight into the
                // dictionary's bytes, without hashing every bag twice.
                if StringInterner.mostlyDistinct(rows: i, distinct: offsets.count - 1) { interning = false }
                guard interning else {
                    if !v.isNull { v.writeJSON(into: &bytes) }
                    offsets.append(UInt32(bytes.count)); codes.append(UInt32(offsets.count - 2))
                    continue
                }
                if let k = byValue[v] { codes.append(k); continue }
                let s = v.isNull ? "" : v.jsonText
                let k: UInt32
                if let existing = map[s] { k = existing } else { k = UInt32(offsets.count - 1); map[s] = k; bytes += s.utf8; offsets.append(UInt32(bytes.count)) }
                byValue[v] = k
                codes.append(k)
            }
            writeDict(bytes: bytes, offsets: offsets, codes: codes, into: &out)
            st.distinct = offsets.count - 1
            st.nulls = a.reduce(0) { $0 + ($1.isNull ? 1 : 0) }
            return (.dict, st)
        }
    }

    static func writeDict(_ values: [String], codes: [UInt32], into out: inout [UInt8]) {
        var bytes: [UInt8] = []
        var offsets: [UInt32] = [0]
        for v in values { bytes.append(contentsOf: v.utf8); offsets.append(UInt32(bytes.count)) }
        writeDict(bytes: bytes, offsets: offsets, codes: codes, into: &out)
    }

    /// A dictionary's values as their bytes back to back, `offsets` (one more than the values) where
    /// each ends.
    static func writeDict(bytes: [UInt8], offsets: [UInt32], codes: [UInt32], into out: inout [UInt8]) {
        appendUInt64(&out, UInt64(offsets.count - 1))
        appendUInt64(&out, UInt64(bytes.count))
        appendPOD(&out, offsets); pad(&out)
        out.append(contentsOf: bytes); pad(&out)
        appendPOD(&out, codes); pad(&out)
    }

    static func pad(_ out: inout [UInt8]) { while out.count % 8 != 0 { out.append(0) } }
    static func appendUInt32(_ out: inout [UInt8], _ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
    static func appendUInt64(_ out: inout [UInt8], _ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
    static func appendPOD<T>(_ out: inout [UInt8], _ a: [T]) { a.withUnsafeBytes { out.append(contentsOf: $0) } }
}
