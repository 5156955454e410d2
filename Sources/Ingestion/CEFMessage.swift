import Foundation
/// One Common Event Format record: the seven header fields and the extension's key/value pairs,
/// unescaped by the CEF rules (`\|` and `\\` in the header; `\=`, `\\`, `\n`, `\r` in extension values).
public struct CEFMessage: Sendable, Equatable {
    public var version: String
    public var deviceVendor: String
    public var deviceProduct: String
    public var deviceVersion: String
    public var signatureID: String
    public var name: String
    public var severity: String
    public var extensions: [(key: String, value: String)]

    public static func == (a: CEFMessage, b: CEFMessage) -> Bool {
        a.version == b.version && a.deviceVendor == b.deviceVendor && a.deviceProduct == b.deviceProduct && a.deviceVersion == b.deviceVersion
            && a.signatureID == b.signatureID && a.name == b.name && a.severity == b.severity
            && a.extensions.map(\.key) == b.extensions.map(\.key) && a.extensions.map(\.value) == b.extensions.map(\.value)
    }

    /// Parses the text from `CEF:` on; nil when it has fewer than seven header fields.
    public static func parse(_ text: Substring) -> CEFMessage? {
        guard let at = text.range(of: "CEF:") else { return nil }
        let u = Array(text[at.upperBound...].utf8)
        var header: [String] = []
        var cur: [UInt8] = []
        var i = 0
        while i < u.count && header.count < 7 {
            let c = u[i]
            if c == UInt8(ascii: "\\"), i + 1 < u.count, u[i + 1] == UInt8(ascii: "|") || u[i + 1] == UInt8(ascii: "\\") {
                cur.append(u[i + 1]); i += 2; continue
            }
            if c == UInt8(ascii: "|") { header.append(String(decoding: cur, as: UTF8.self)); cur = []; i += 1; continue }
            cur.append(c); i += 1
        }
        guard header.count == 7 else { return nil }
        let ext = parseExtension(Array(u[i...]))
        return CEFMessage(version: header[0].trimmingSpaces, deviceVendor: header[1], deviceProduct: header[2], deviceVersion: header[3],
                          signatureID: header[4], name: header[5], severity: header[6].trimmingSpaces, extensions: ext)
    }

    /// Splits `k1=v1 k2=v two k3=v3`: a key starts after a space and runs to an unescaped `=`, so values
    /// may hold spaces (and, as real devices send them, unescaped `=` not preceded by a bare word).
    static func parseExtension(_ u: [UInt8]) -> [(key: String, value: String)] {
        // Positions where a key begins: start or after a space, key chars, then an unescaped '='.
        func keyAt(_ p: Int) -> Int? {
            var j = p
            while j < u.count, isKeyChar(u[j]) { j += 1 }
            guard j > p, j < u.count, u[j] == UInt8(ascii: "=") else { return nil }
            return j
        }
        var out: [(key: String, value: String)] = []
        var p = 0
        while p < u.count && u[p] == 32 { p += 1 }
        guard p < u.count, let firstEq = keyAt(p) else { return out }
        var key = String(decoding: u[p..<firstEq], as: UTF8.self)
        var vstart = firstEq + 1
        var j = vstart
        while j <= u.count {
            var next: (Int, Int)? = nil
            if j < u.count, u[j] == 32 {
                var k = j
                while k < u.count && u[k] == 32 { k += 1 }
                if let eq = keyAt(k) { next = (k, eq) }
            }
            if j == u.count || next != nil {
                var vend = j
                while vend > vstart && u[vend - 1] == 32 { vend -= 1 }
                out.append((key, unescapeValue(u[vstart..<vend])))
                guard let (k, eq) = next else { break }
                key = String(decoding: u[k..<eq], as: UTF8.self)
                vstart = eq + 1
                j = vstart
                continue
            }
            if u[j] == UInt8(ascii: "\\") { j += 2; continue }
            j += 1
        }
        return out
    }

    @inline(__always) static func isKeyChar(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
            || c == UInt8(ascii: "[") || c == UInt8(ascii: "]") || c == UInt8(ascii: "-")
    }

    static func unescapeValue(_ s: ArraySlice<UInt8>) -> String {
        guard s.contains(UInt8(ascii: "\\")) else { return String(decoding: s, as: UTF8.self) }
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if c == UInt8(ascii: "\\"), i + 1 < s.endIndex {
                switch s[i + 1] {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "="), UInt8(ascii: "\\"): out.append(s[i + 1])
                default: out.append(c); out.append(s[i + 1])
                }
                i += 2
                continue
            }
            out.append(c)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
