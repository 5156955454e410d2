public import KQL
import Crypto
import Foundation

extension ExtentCodec {
    /// Reads the footer of encoded bytes, checking both magics.
    public static func footer(_ b: UnsafeRawBufferPointer) throws -> ExtentFooter {
        guard b.count >= 16, Array(b[0..<4]) == magic, Array(b[(b.count - 4)...]) == magic else { throw StoreError.corrupt("not a Vigil extent (bad magic)") }
        let len = Int(UInt32(littleEndian: b.loadUnaligned(fromByteOffset: b.count - 8, as: UInt32.self)))
        guard len > 0, len <= b.count - 16 else { throw StoreError.corrupt("bad footer length") }
        let start = b.count - 8 - len
        struct Version: Decodable { var format: Int }
        let json = Data(b[start..<(b.count - 8)])
        if let v = try? JSONDecoder().decode(Version.self, from: json), v.format != formatVersion {
            throw StoreError.corrupt("extent format \(v.format); this Vigil reads format \(formatVersion): re-ingest the data")
        }
        do {
            return try JSONDecoder().decode(ExtentFooter.self, from: json)
        } catch {
            throw StoreError.corrupt("unreadable footer: \(error)")
        }
    }

    /// Decodes one column; with `verify`, its checksum is checked first.
    public static func decodeColumn(_ b: UnsafeRawBufferPointer, _ e: ExtentFooter.ColumnEntry, rows: Int, verify: Bool) throws -> Column {
        guard e.offset >= 8, e.offset + e.length <= b.count else { throw StoreError.corrupt("column \(e.name) is out of bounds") }
        let region = UnsafeRawBufferPointer(rebasing: b[e.offset..<(e.offset + e.length)])
        if verify { try verifyBlocks(region, e, Array(0..<blockCount(e))) }
        var r = Reader(b: region)
        guard let enc = Encoding(rawValue: try r.byte()) else { throw StoreError.corrupt("column \(e.name): unknown encoding") }
        let hasNulls = try r.byte() == 1
        r.pos = 8
        var nulls: [Bool]? = nil
        if hasNulls {
            let raw: [UInt8] = try r.pod(rows)
            nulls = raw.map { $0 != 0 }
            r.align()
        }
        let type = e.kqlType
        switch enc {
        case .i64: return Column(type: type, data: .int64(try r.pod(rows)), nulls: nulls)
        case .f64: return Column(type: type, data: .double(try r.pod(rows)), nulls: nulls)
        case .bool:
            let raw: [UInt8] = try r.pod(rows)
            return Column(type: type, data: .bool(raw.map { $0 != 0 }), nulls: nulls)
        case .dict:
            let count = Int(try r.u64()), byteLen = Int(try r.u64())
            let offsets: [UInt32] = try r.pod(count + 1); r.align()
            let bytesStart = r.pos
            try r.skip(byteLen); r.align()
            let codes: [UInt32] = try r.pod(rows)
            guard offsets.last.map({ Int($0) == byteLen }) ?? false else { throw StoreError.corrupt("column \(e.name): bad dictionary") }
            let values = try strings(region, from: bytesStart, byteLength: byteLen, count: count, offset: { Int(offsets[$0]) },
                                     what: "column \(e.name): bad dictionary offsets")
            if let bad = codes.first(where: { Int($0) >= count }) { throw StoreError.corrupt("column \(e.name): code \(bad) out of range") }
            return dictionaryColumn(type, codes: codes, values: values, nulls: nulls)
        case .str:
            let byteLen = Int(try r.u64())
            let offsets: [UInt64] = try r.pod(rows + 1)
            let bytesStart = r.pos
            try r.skip(byteLen)
            let out = try strings(region, from: bytesStart, byteLength: byteLen, count: rows, offset: { Int(offsets[$0]) },
                                  what: "column \(e.name): bad string offsets")
            return plainColumn(type, out, nulls: nulls)
        }
    }

    /// The `count` strings of a byte area whose boundaries are `offset(0...count)`, bounds-checked.
    static func strings(_ region: UnsafeRawBufferPointer, from bytesStart: Int, byteLength: Int, count: Int,
                        offset: (Int) -> Int, what: @autoclosure () -> String) throws -> [String] {
        let base = region.baseAddress!.assumingMemoryBound(to: UInt8.self) + bytesStart
        var out: [String] = []
        out.reserveCapacity(count)
        for k in 0..<count {
            let s = offset(k), t = offset(k + 1)
            guard s <= t, t <= byteLength else { throw StoreError.corrupt(what()) }
            out.append(String(decoding: UnsafeBufferPointer(start: base + s, count: t - s), as: UTF8.self))
        }
        return out
    }

    /// A bounds-checked cursor: corrupt lengths become errors, never out-of-bounds reads.
    struct Reader {
        let b: UnsafeRawBufferPointer
        var pos = 0
        mutating func byte() throws -> UInt8 {
            guard pos < b.count else { throw StoreError.corrupt("truncated column") }
            defer { pos += 1 }
            return b[pos]
        }
        mutating func u64() throws -> UInt64 {
            guard pos + 8 <= b.count else { throw StoreError.corrupt("truncated column") }
            defer { pos += 8 }
            return UInt64(littleEndian: b.loadUnaligned(fromByteOffset: pos, as: UInt64.self))
        }
        mutating func skip(_ n: Int) throws {
            guard n >= 0, pos + n <= b.count else { throw StoreError.corrupt("truncated column") }
            pos += n
        }
        mutating func align() { pos = (pos + 7) & ~7 }
        mutating func pod<T>(_ n: Int) throws -> [T] {
            let size = n * MemoryLayout<T>.stride
            guard n >= 0, pos + size <= b.count else { throw StoreError.corrupt("truncated column") }
            let out = [T](unsafeUninitializedCapacity: n) { buf, count in
                if size > 0 { UnsafeMutableRawPointer(buf.baseAddress!).copyMemory(from: b.baseAddress! + pos, byteCount: size) }
                count = n
            }
            pos += size
            return out
        }
    }
}

extension ExtentCodec {
    /// Decodes only the selected rows of a column, straight from the mapped bytes: after a selective
    /// filter, the other columns of a wide table are fetched for the few surviving rows without
    /// building whole columns (late materialisation). The caller verifies the checksum once per column.
    public static func decodeRows(_ b: UnsafeRawBufferPointer, _ e: ExtentFooter.ColumnEntry, rows: Int, select: [Int32],
                                  verified: inout Set<Int>) throws -> Column {
        guard e.offset >= 8, e.offset + e.length <= b.count else { throw StoreError.corrupt("column \(e.name) is out of bounds") }
        let region = UnsafeRawBufferPointer(rebasing: b[e.offset..<(e.offset + e.length)])
        // The blocks this read touches; they are verified before the column is returned.
        var touched = Set<Int>([0])
        let bs = max(e.blockSize, 1)
        func touch(_ offset: Int, _ length: Int) {
            guard length > 0 else { return }
            var k = offset / bs
            while k * bs < offset + length { touched.insert(k); k += 1 }
        }
        let column = try decodeRowsUnverified(region, e, rows: rows, select: select, touch: touch)
        let pending = touched.subtracting(verified).sorted()
        try verifyBlocks(region, e, pending)
        verified.formUnion(pending)
        return column
    }

    static func decodeRowsUnverified(_ region: UnsafeRawBufferPointer, _ e: ExtentFooter.ColumnEntry, rows: Int, select: [Int32],
                                     touch: (Int, Int) -> Void) throws -> Column {
        var r = Reader(b: region)
        guard let enc = Encoding(rawValue: try r.byte()) else { throw StoreError.corrupt("column \(e.name): unknown encoding") }
        let hasNulls = try r.byte() == 1
        r.pos = 8
        if let bad = select.first(where: { $0 < 0 || Int($0) >= rows }) { throw StoreError.corrupt("row \(bad) outside column \(e.name)") }
        var nulls: [Bool]? = nil
        if hasNulls {
            let start = r.pos
            try r.skip(rows); r.align()
            nulls = select.map { touch(start + Int($0), 1); return region[start + Int($0)] != 0 }
        }
        let type = e.kqlType
        func fixed<T>(_ size: Int, _ as: T.Type) throws -> [T] {
            let start = r.pos
            try r.skip(rows * size)
            return select.map { touch(start + Int($0) * size, size); return region.loadUnaligned(fromByteOffset: start + Int($0) * size, as: T.self) }
        }
        switch enc {
        case .i64: return Column(type: type, data: .int64(try fixed(8, Int64.self)), nulls: nulls)
        case .f64: return Column(type: type, data: .double(try fixed(8, Double.self)), nulls: nulls)
        case .bool: return Column(type: type, data: .bool(try fixed(1, UInt8.self).map { $0 != 0 }), nulls: nulls)
        case .dict:
            touch(r.pos, 16)
            let (count, byteLen, offStart, bytesStart, codesStart) = try dictionaryLayout(&r, rows: rows)
            // Only the dictionary entries the selected rows use are decoded, renumbered densely.
            var remap: [UInt32: UInt32] = [:]
            var values: [String] = []
            var codes: [UInt32] = []
            codes.reserveCapacity(select.count)
            for i in select {
                touch(codesStart + Int(i) * 4, 4)
                let code = region.loadUnaligned(fromByteOffset: codesStart + Int(i) * 4, as: UInt32.self)
                if let k = remap[code] { codes.append(k); continue }
                guard Int(code) < count else { throw StoreError.corrupt("column \(e.name): code \(code) out of range") }
                touch(offStart + Int(code) * 4, 8)
                let s = Int(region.loadUnaligned(fromByteOffset: offStart + Int(code) * 4, as: UInt32.self))
                let t = Int(region.loadUnaligned(fromByteOffset: offStart + Int(code) * 4 + 4, as: UInt32.self))
                guard s <= t, t <= byteLen else { throw StoreError.corrupt("column \(e.name): bad dictionary offsets") }
                touch(bytesStart + s, t - s)
                let k = UInt32(values.count)
                values.append(String(decoding: UnsafeRawBufferPointer(rebasing: region[(bytesStart + s)..<(bytesStart + t)]), as: UTF8.self))
                remap[code] = k
                codes.append(k)
            }
            return dictionaryColumn(type, codes: codes, values: values, nulls: nulls)
        case .str:
            let byteLen = Int(try r.u64())
            touch(r.pos - 8, 8)
            let offStart = r.pos
            try r.skip((rows + 1) * 8)
            let bytesStart = r.pos
            try r.skip(byteLen)
            let out = try select.map { i -> String in
                touch(offStart + Int(i) * 8, 16)
                let s = Int(region.loadUnaligned(fromByteOffset: offStart + Int(i) * 8, as: UInt64.self))
                let t = Int(region.loadUnaligned(fromByteOffset: offStart + Int(i) * 8 + 8, as: UInt64.self))
                guard s <= t, t <= byteLen else { throw StoreError.corrupt("column \(e.name): bad string offsets") }
                touch(bytesStart + s, t - s)
                return String(decoding: UnsafeRawBufferPointer(rebasing: region[(bytesStart + s)..<(bytesStart + t)]), as: UTF8.self)
            }
            return plainColumn(type, out, nulls: nulls)
        }
    }

    /// A decoded plain region as a column: a dynamic one holds JSON texts (written by a store from a
    /// batch that kept them, see `ColumnAppender.texts`), parsed here.
    static func plainColumn(_ type: KQLType, _ values: [String], nulls: [Bool]?) -> Column {
        if type == .dynamic { return Column(type: type, data: .value(values.map { $0.isEmpty ? Value.null : Value.parseJSON($0) })) }
        return Column(type: type, data: .string(values), nulls: type == .guid ? nulls : nil)
    }

    /// A decoded dictionary region as a column: strings and guids stay encoded; dynamic values are
    /// parsed once per distinct JSON text.
    static func dictionaryColumn(_ type: KQLType, codes: [UInt32], values: [String], nulls: [Bool]?) -> Column {
        if type == .dynamic {
            let parsed = values.map { $0.isEmpty ? Value.null : Value.parseJSON($0) }
            return Column(type: type, data: .value(codes.map { parsed[Int($0)] }))
        }
        return Column(type: type, data: .dict(codes: codes, values: values), nulls: type == .guid ? nulls : nil)
    }

    static func blockCount(_ e: ExtentFooter.ColumnEntry) -> Int { max(1, (e.length + e.blockSize - 1) / max(e.blockSize, 1)) }

    /// Checks the SHA-256 of the given blocks of a column region.
    static func verifyBlocks(_ region: UnsafeRawBufferPointer, _ e: ExtentFooter.ColumnEntry, _ blocks: [Int]) throws {
        let d = digestBytes
        guard e.blockSize > 0, let digests = Data(base64Encoded: e.blockSHA256), digests.count == blockCount(e) * d else {
            throw StoreError.corrupt("column \(e.name): bad checksum list")
        }
        for k in blocks {
            let start = k * e.blockSize
            guard start < max(region.count, 1) else { throw StoreError.corrupt("column \(e.name): block \(k) out of range") }
            let end = min(region.count, start + e.blockSize)
            let got = Data(SHA256.hash(data: UnsafeRawBufferPointer(rebasing: region[start..<end])).prefix(d))
            guard got == digests[(digests.startIndex + k * d)..<(digests.startIndex + k * d + d)] else { throw StoreError.corrupt("column \(e.name): checksum mismatch in block \(k)") }
        }
    }
}

extension ExtentCodec {
    /// Where a dictionary-coded column's parts start, read from `r` at its entry count: the entry
    /// count, the bytes' length, the entries' offsets, their bytes, and the rows' codes.
    static func dictionaryLayout(_ r: inout Reader, rows: Int) throws -> (count: Int, byteLength: Int, offsets: Int, bytes: Int, codes: Int) {
        let count = Int(try r.u64()), byteLen = Int(try r.u64())
        let offStart = r.pos
        try r.skip((count + 1) * 4); r.align()
        let bytesStart = r.pos
        try r.skip(byteLen); r.align()
        let codesStart = r.pos
        try r.skip(rows * 4)
        return (count, byteLen, offStart, bytesStart, codesStart)
    }

    /// The rows of `range` (numbered from its start) of a dictionary-coded column whose value passes
    /// `test`, run once per dictionary entry on the mapped bytes (a null row passes when `nullPasses`):
    /// a selective string filter skips making a `String` for every distinct value. Nil when the
    /// column is not dictionary-coded. With `verify`, the column's checksum is checked first.
    public static func dictionaryRows(_ b: UnsafeRawBufferPointer, _ e: ExtentFooter.ColumnEntry, rows: Int, range: Range<Int>, verify: Bool,
                                      nullPasses: Bool, test: (UnsafeBufferPointer<UInt8>) -> Bool) throws -> [Int32]? {
        guard e.offset >= 8, e.offset + e.length <= b.count else { throw StoreError.corrupt("column \(e.name) is out of bounds") }
        guard range.lowerBound >= 0, range.upperBound <= rows else { throw StoreError.corrupt("rows outside column \(e.name)") }
        let region = UnsafeRawBufferPointer(rebasing: b[e.offset..<(e.offset + e.length)])
        var r = Reader(b: region)
        guard Encoding(rawValue: try r.byte()) == .dict else { return nil }
        if verify { try verifyBlocks(region, e, Array(0..<blockCount(e))) }
        let hasNulls = try r.byte() == 1
        r.pos = 8
        let nullStart = r.pos
        if hasNulls { try r.skip(rows); r.align() }
        let (count, byteLen, offStart, bytesStart, codesStart) = try dictionaryLayout(&r, rows: rows)
        let base = region.baseAddress!
        var pass = [Bool](repeating: false, count: count)
        for k in 0..<count {
            let s = Int(region.loadUnaligned(fromByteOffset: offStart + k * 4, as: UInt32.self))
            let t = Int(region.loadUnaligned(fromByteOffset: offStart + k * 4 + 4, as: UInt32.self))
            guard s <= t, t <= byteLen else { throw StoreError.corrupt("column \(e.name): bad dictionary offsets") }
            pass[k] = test(UnsafeBufferPointer(start: (base + bytesStart + s).assumingMemoryBound(to: UInt8.self), count: t - s))
        }
        var out: [Int32] = []
        for i in range {
            let code = Int(region.loadUnaligned(fromByteOffset: codesStart + i * 4, as: UInt32.self))
            guard code < count else { throw StoreError.corrupt("column \(e.name): code \(code) out of range") }
            if hasNulls && region[nullStart + i] != 0 ? nullPasses : pass[code] { out.append(Int32(i - range.lowerBound)) }
        }
        return out
    }
}
