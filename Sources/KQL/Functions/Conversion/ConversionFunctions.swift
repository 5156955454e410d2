import Foundation
/// `tostring`, `toint`, `todatetime`, `parse_json`...: failed conversions give null, never an error.
enum ConversionFunctions {
    static func to(_ name: String, _ t: KQLType) -> FunctionDef {
        FunctionDef(name, args: 1...1, returns: FunctionDef.fixed(t), row: { a, ctx in
            var v = a[0]
            if t == .int, case .long(let x) = v.converted(to: .long) { return x >= Int64(Int32.min) && x <= Int64(Int32.max) ? .long(x) : .null }
            if case .string(let s) = v, t != .string { v = .string(s) }
            if t == .string, case .string = v { return v }
            let out = v.converted(to: t)
            // A time of day alone (`8:00:00 AM`) is that time today, as .NET reads it; today is the query's.
            if t == .datetime, out.isNull, case .string(let s) = v, let tod = DateTimeParser.timeOfDay(s) {
                return .datetime(ctx.now - ((ctx.now % Ticks.perDay) + Ticks.perDay) % Ticks.perDay + tod)
            }
            return out
        }, vector: { v, types, n, _ in
            guard case .column(let c) = v[0] else { return nil }
            if c.type == t || (t == .long && c.type == .int) || (t == .real && c.type == .decimal) {
                return .column(Column(type: t, data: c.data, nulls: c.nulls))
            }
            if t == .string {
                switch c.data {
                case .string, .dict: return .column(Column(type: .string, data: c.data))
                default: return .column(Column(type: .string, data: .string((0..<n).map { c.value(at: $0).kqlString })))
                }
            }
            return nil
        })
    }

    static var all: [FunctionDef] {
        [
            to("tostring", .string), to("toint", .int), to("tolong", .long), to("toreal", .real), to("todouble", .real),
            to("todecimal", .decimal), to("tobool", .bool), to("toboolean", .bool), to("todatetime", .datetime),
            to("totimespan", .timespan), to("time", .timespan), to("toguid", .guid),
            F.row("todynamic", 1...1, .dynamic) { a, _ in parse(a[0]) },
            F.row("parse_json", 1...1, .dynamic) { a, _ in parse(a[0]) },
            F.row("parsejson", 1...1, .dynamic) { a, _ in parse(a[0]) },
            F.row("parse_xml", 1...1, .dynamic) { a, _ in a[0].isNull ? .null : XMLToDynamic.parse(a[0].kqlString) },
            F.row("gettype", 1...1, .string) { a, _ in .string(typeName(a[0])) },
            F.row("tohex", 1...2, .string) { a, _ in
                guard let v = a[0].asInt64 else { return .null }
                var s = String(UInt64(bitPattern: v), radix: 16)
                if a.count > 1, let w = a[1].int.map({ min($0, 64) }), s.count < w { s = String(repeating: "0", count: w - s.count) + s }
                return .string(s)
            },
            F.row("new_guid", 0...0, .guid, pure: false) { _, ctx in .guid(Value.parseGuid(String(UInt64.random(in: 0...UInt64.max), radix: 16).padding(toLength: 32, withPad: "0", startingAt: 0))!) },
        ]
    }

    static func parse(_ v: Value) -> Value {
        if case .string(let s) = v { return Value.parseJSON(s) }
        return v
    }

    static func typeName(_ v: Value) -> String {
        switch v {
        case .null: return "null"
        case .bool: return "bool"
        case .long: return "long"
        case .real: return "real"
        case .string: return "string"
        case .datetime: return "datetime"
        case .timespan: return "timespan"
        case .guid: return "guid"
        case .array: return "array"
        case .bag: return "dictionary"
        }
    }
}
