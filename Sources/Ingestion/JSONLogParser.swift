/// JSON logs: JSON lines, a JSON array of objects, or an object wrapping one array (`{"table": [...]}`).
/// A record that is not a valid object is reported with its line and skipped; the rest still land.
public enum JSONLogParser {
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, into b: inout BatchBuilder, options: ParseOptions, handler: BatchHandler) throws {
        var s = JSONRecordScanner(bytes)
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { s.pos = 3 }
        s.skipSpace()
        var state = State()
        if s.peek == UInt8(ascii: "[") {
            try array(&s, &b, &state, options, handler)
        } else if s.peek == UInt8(ascii: "{") {
            // One object holding one array of objects is a wrapper; anything else is JSON lines.
            var probe = s
            var fields: [JSONRecordScanner.Field] = [], scratch: [UInt8] = []
            if probe.object(&fields, &scratch), fields.count == 1, fields[0].kind == .json, bytes[fields[0].valStart] == UInt8(ascii: "[") {
                probe.skipSpace()
                if probe.pos >= probe.end {
                    var inner = JSONRecordScanner(bytes, from: fields[0].valStart, to: fields[0].valEnd)
                    try array(&inner, &b, &state, options, handler)
                    if b.rows > 0 { try handler(&b) }
                    return
                }
            }
            try lines(&s, &b, &state, options, handler)
        } else if s.pos < s.end {
            b.diagnostics.add(RecordDiagnostic(source: b.source, line: 1, reason: "not JSON: expected an object or an array of objects", severity: .error))
        }
        if b.rows > 0 { try handler(&b) }
    }

    /// Per-input parsing state: line counting and the key → column cache.
    struct State {
        var line = 1
        var lineScanned = 0
        var fields: [JSONRecordScanner.Field] = []
        var scratch: [UInt8] = []
        /// Key bytes and column by position in the record: records of one producer repeat one key order.
        var cacheKeys: [[UInt8]] = []
        var cacheCols: [Int?] = []

        mutating func lineAt(_ pos: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Int {
            if pos > lineScanned {
                var i = lineScanned
                while i < pos { if bytes[i] == 10 { line += 1 }; i += 1 }
                lineScanned = pos
            }
            return line
        }
    }

    static func lines(_ s: inout JSONRecordScanner, _ b: inout BatchBuilder, _ st: inout State, _ options: ParseOptions, _ handler: BatchHandler) throws {
        while true {
            s.skipSpace()
            guard s.pos < s.end else { return }
            let start = s.pos
            let line = st.lineAt(start, s.b)
            if try record(&s, &b, &st, line, options, handler) { continue }
            b.diagnostics.add(RecordDiagnostic(source: b.source, line: line, reason: "not a valid JSON object; record skipped", severity: .error))
            s.pos = start
            while s.pos < s.end && s.b[s.pos] != 10 { s.pos += 1 }
        }
    }

    static func array(_ s: inout JSONRecordScanner, _ b: inout BatchBuilder, _ st: inout State, _ options: ParseOptions, _ handler: BatchHandler) throws {
        s.pos += 1
        while true {
            s.skipSpace()
            if s.peek == UInt8(ascii: ",") { s.pos += 1; continue }
            if s.peek == UInt8(ascii: "]") || s.pos >= s.end { return }
            let start = s.pos
            let line = st.lineAt(start, s.b)
            if try record(&s, &b, &st, line, options, handler) { continue }
            b.diagnostics.add(RecordDiagnostic(source: b.source, line: line, reason: "array element is not a valid JSON object; skipped", severity: .error))
            // Resynchronise at the next line that starts an object.
            s.pos = start + 1
            while s.pos < s.end {
                if s.b[s.pos] == 10 {
                    var k = s.pos + 1
                    while k < s.end, s.b[k] == 32 || s.b[k] == 9 || s.b[k] == 13 { k += 1 }
                    if k < s.end, s.b[k] == UInt8(ascii: "{") { s.pos = k; break }
                }
                s.pos += 1
            }
        }
    }

    /// Scans the object at the cursor and commits it; false (nothing committed) when it is not one.
    static func record(_ s: inout JSONRecordScanner, _ b: inout BatchBuilder, _ st: inout State, _ line: Int,
                       _ options: ParseOptions, _ handler: BatchHandler) throws -> Bool {
        guard s.peek == UInt8(ascii: "{"), s.object(&st.fields, &st.scratch) else { return false }
        commit(&s, &b, &st, line: line)
        try b.flushIfFull(options, handler)
        return true
    }

    static func commit(_ s: inout JSONRecordScanner, _ b: inout BatchBuilder, _ st: inout State, line: Int) {
        b.beginRecord(line: line)
        let bytes = s.b
        st.scratch.withUnsafeBufferPointer { scratch in
            for (k, f) in st.fields.enumerated() {
                let key = f.keyInScratch ? UnsafeBufferPointer(rebasing: scratch[f.keyStart..<f.keyEnd]) : UnsafeBufferPointer(rebasing: bytes[f.keyStart..<f.keyEnd])
                let val = f.valInScratch ? UnsafeBufferPointer(rebasing: scratch[f.valStart..<f.valEnd]) : UnsafeBufferPointer(rebasing: bytes[f.valStart..<f.valEnd])
                var col: Int?
                if k < st.cacheKeys.count, st.cacheKeys[k].count == key.count,
                   st.cacheKeys[k].withUnsafeBufferPointer({ key.isEmpty || memcmpBytes($0.baseAddress!, key.baseAddress!, key.count) }) {
                    col = st.cacheCols[k]
                } else {
                    let name = String(decoding: key, as: UTF8.self)
                    col = b.resolve(name, firstValue: val, kind: f.kind)
                    // An undeclared column seen only as null is not cached: its first value declares it.
                    if col != nil || f.kind != .null {
                        if k < st.cacheKeys.count { st.cacheKeys[k] = Array(key); st.cacheCols[k] = col }
                        else if k == st.cacheKeys.count { st.cacheKeys.append(Array(key)); st.cacheCols.append(col) }
                    }
                }
                if let col { b.set(col, val, kind: f.kind) }
                else if f.kind != .null { b.noteDropped(String(decoding: key, as: UTF8.self)) }
            }
        }
        b.endRecord()
        b.position = s.pos
    }
}
