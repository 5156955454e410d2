/// Well-known text (POINT, LINESTRING, POLYGON, MULTI*, GEOMETRYCOLLECTION) read into GeoJSON shapes.
struct WKT {
    var chars: [Character]
    var i = 0

    static func parse(_ s: String) -> GeoShape? {
        var p = WKT(chars: Array(s))
        guard let g = p.geometry() else { return nil }
        p.skipSpace()
        return p.i == p.chars.count ? g : nil
    }

    mutating func skipSpace() { while i < chars.count, chars[i].isWhitespace { i += 1 } }
    mutating func word() -> String {
        skipSpace()
        var w = ""
        while i < chars.count, chars[i].isLetter { w.append(chars[i]); i += 1 }
        return w.uppercased()
    }
    mutating func eat(_ c: Character) -> Bool { skipSpace(); if i < chars.count, chars[i] == c { i += 1; return true }; return false }
    mutating func number() -> Double? {
        skipSpace()
        var s = ""
        while i < chars.count, chars[i].isNumber || "+-.eE".contains(chars[i]) { s.append(chars[i]); i += 1 }
        return Double(s)
    }
    mutating func point() -> Sphere.Point? {
        guard let x = number(), let y = number() else { return nil }
        while let save = Optional(i), number() != nil { _ = save }  // Z and M are dropped
        let p = Sphere.Point(lon: x, lat: y)
        return Sphere.valid(p) ? p : nil
    }
    mutating func list<T>(_ item: (inout WKT) -> T?) -> [T]? {
        guard eat("(") else { return nil }
        var out: [T] = []
        repeat { guard let x = item(&self) else { return nil }; out.append(x) } while eat(",")
        return eat(")") ? out : nil
    }
    mutating func ring() -> [Sphere.Point]? {
        guard var r = list({ $0.point() }), r.count >= 4, r.first == r.last else { return nil }
        r.removeLast()
        return r
    }

    mutating func geometry() -> GeoShape? {
        let kind = word()
        var dims = word()
        if !["Z", "M", "ZM", ""].contains(dims) { return nil }
        dims = ""
        switch kind {
        case "POINT": guard eat("("), let p = point(), eat(")") else { return nil }; return .point(p)
        case "LINESTRING": return list { $0.point() }.flatMap { $0.count >= 2 ? .line($0) : nil }
        case "POLYGON": return list { $0.ring() }.map { .polygon($0) }
        case "MULTIPOINT":
            return list { w -> Sphere.Point? in
                if w.eat("(") { let p = w.point(); return w.eat(")") ? p : nil }
                return w.point()
            }.map { .multiPoint($0) }
        case "MULTILINESTRING": return list { $0.list { $0.point() } }.map { .multiLine($0) }
        case "MULTIPOLYGON": return list { $0.list { $0.ring() } }.map { .multiPolygon($0) }
        case "GEOMETRYCOLLECTION": return list { $0.geometry() }.map { .collection($0) }
        default: return nil
        }
    }
}
