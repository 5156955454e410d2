import Foundation

/// A typed value of binary XML: what a template substitution or a text token holds.
public enum EvtxValue: Sendable, Equatable {
    case null
    case string(String)
    case signed(Int64)
    case unsigned(UInt64)
    case real(Double)
    case bool(Bool)
    case hex(UInt64, width: Int)
    case guid(String)
    case fileTime(Int64)      // 100 ns ticks since 1601-01-01
    case sysTime(String)
    case sid(String)
    case binary([UInt8])
    case array([EvtxValue])
    /// An embedded binary-XML fragment (value type 0x21).
    case xml([EvtxNode])

    /// The text an XML rendering shows.
    public var text: String {
        switch self {
        case .null: return ""
        case .string(let s): return s
        case .signed(let v): return String(v)
        case .unsigned(let v): return String(v)
        case .real(let d): return String(d)
        case .bool(let b): return b ? "true" : "false"
        case .hex(let v, _): return "0x" + String(v, radix: 16)
        case .guid(let g): return g
        case .fileTime(let t): return EvtxValue.iso(t)
        case .sysTime(let s): return s
        case .sid(let s): return s
        case .binary(let b): return b.map { String(format: "%02X", $0) }.joined()
        case .array(let a): return a.map(\.text).joined(separator: ",")
        case .xml: return ""
        }
    }

    /// ISO 8601 with microseconds, as evtx_dump prints FILETIMEs (the 100 ns digit is dropped).
    public static func iso(_ fileTime: Int64) -> String {
        String(unsafeUninitializedCapacity: 27) { out in isoDigits(fileTime, into: out.baseAddress!) }
    }

    /// `iso`'s 27 bytes at `out` (digits written in place: String(format:) was a tenth of mapping a
    /// Sysmon event).
    @discardableResult
    static func isoDigits(_ fileTime: Int64, into out: UnsafeMutablePointer<UInt8>) -> Int {
        let unixTicks = fileTime - 116_444_736_000_000_000
        let secs = unixTicks >= 0 ? unixTicks / 10_000_000 : (unixTicks - 9_999_999) / 10_000_000
        let micros = (unixTicks - secs * 10_000_000) / 10
        var t = time_t(secs)
        var tm = tm()
        gmtime_r(&t, &tm)
        var k = 0
        func put(_ value: Int, _ width: Int, _ separator: UInt8) {
            var v = max(0, value)
            for j in stride(from: width - 1, through: 0, by: -1) { out[k + j] = UInt8(ascii: "0") + UInt8(v % 10); v /= 10 }
            k += width
            out[k] = separator; k += 1
        }
        put(Int(tm.tm_year) + 1900, 4, UInt8(ascii: "-")); put(Int(tm.tm_mon) + 1, 2, UInt8(ascii: "-")); put(Int(tm.tm_mday), 2, UInt8(ascii: "T"))
        put(Int(tm.tm_hour), 2, UInt8(ascii: ":")); put(Int(tm.tm_min), 2, UInt8(ascii: ":")); put(Int(tm.tm_sec), 2, UInt8(ascii: "."))
        put(Int(micros), 6, UInt8(ascii: "Z"))
        return k
    }
}

/// A node of an event's XML tree.
public enum EvtxNode: Sendable, Equatable {
    case element(EvtxElement)
    case text(EvtxValue)
}

public struct EvtxElement: Sendable, Equatable {
    public var name: String
    public var attributes: [(name: String, value: EvtxValue)]
    public var children: [EvtxNode]

    public init(name: String, attributes: [(name: String, value: EvtxValue)], children: [EvtxNode]) {
        self.name = name; self.attributes = attributes; self.children = children
    }

    public static func == (a: EvtxElement, b: EvtxElement) -> Bool {
        a.name == b.name && a.children == b.children && a.attributes.count == b.attributes.count
            && zip(a.attributes, b.attributes).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    public func child(_ name: String) -> EvtxElement? {
        for c in children { if case .element(let e) = c, e.name == name { return e } }
        return nil
    }

    /// The concatenated text content.
    public var text: String {
        children.map { c -> String in if case .text(let v) = c { return v.text } else { return "" } }.joined()
    }
}
