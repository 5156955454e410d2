import OrderedCollections

/// GeoJSON shapes as Kusto's geo functions take and return them (dynamic values or JSON text);
/// polygon rings are kept without their closing point. Invalid input is nil (the functions return null).
enum GeoShape: Equatable {
    case point(Sphere.Point)
    case multiPoint([Sphere.Point])
    case line([Sphere.Point])
    case multiLine([[Sphere.Point]])
    case polygon([[Sphere.Point]])
    case multiPolygon([[[Sphere.Point]]])
    case collection([GeoShape])

    static func parse(_ v: Value) -> GeoShape? {
        var b: OrderedDictionary<String, Value>
        switch v {
        case .bag(let x): b = x
        case .string(let s): guard case .bag(let x) = Value.parseJSON(s) else { return nil }; b = x
        default: return nil
        }
        let type = b["type"]?.asString ?? ""
        if type == "GeometryCollection" {
            guard let gs = b["geometries"]?.asArray else { return nil }
            let parsed = gs.compactMap(parse)
            return parsed.count == gs.count ? .collection(parsed) : nil
        }
        guard let c = b["coordinates"] else { return nil }
        func pt(_ x: Value) -> Sphere.Point? {
            guard let a = x.asArray, a.count >= 2, let lon = a[0].asDouble, let lat = a[1].asDouble else { return nil }
            let p = Sphere.Point(lon: lon, lat: lat)
            return Sphere.valid(p) ? p : nil
        }
        func pts(_ x: Value) -> [Sphere.Point]? {
            guard let a = x.asArray else { return nil }
            let ps = a.compactMap(pt)
            return ps.count == a.count ? ps : nil
        }
        func ring(_ x: Value) -> [Sphere.Point]? {
            guard var r = pts(x), r.count >= 4, r.first == r.last else { return nil }
            r.removeLast()
            return r
        }
        func rings(_ x: Value) -> [[Sphere.Point]]? {
            guard let a = x.asArray, !a.isEmpty else { return nil }
            let rs = a.compactMap(ring)
            return rs.count == a.count ? rs : nil
        }
        switch type {
        case "Point": return pt(c).map { .point($0) }
        case "MultiPoint": return pts(c).map { .multiPoint($0) }
        case "LineString": return pts(c).flatMap { $0.count >= 2 ? .line($0) : nil }
        case "MultiLineString":
            guard let a = c.asArray else { return nil }
            let ls = a.compactMap(pts).filter { $0.count >= 2 }
            return ls.count == a.count ? .multiLine(ls) : nil
        case "Polygon": return rings(c).map { .polygon($0) }
        case "MultiPolygon":
            guard let a = c.asArray else { return nil }
            let ps = a.compactMap(rings)
            return ps.count == a.count ? .multiPolygon(ps) : nil
        default: return nil
        }
    }

    static func coord(_ p: Sphere.Point) -> Value { .array([.real(p.lon), .real(p.lat)]) }
    static func closed(_ r: [Sphere.Point]) -> Value { .array((r + (r.first.map { [$0] } ?? [])).map(coord)) }

    var value: Value {
        switch self {
        case .point(let p): return .bag(["type": .string("Point"), "coordinates": Self.coord(p)])
        case .multiPoint(let ps): return .bag(["type": .string("MultiPoint"), "coordinates": .array(ps.map(Self.coord))])
        case .line(let ps): return .bag(["type": .string("LineString"), "coordinates": .array(ps.map(Self.coord))])
        case .multiLine(let ls): return .bag(["type": .string("MultiLineString"), "coordinates": .array(ls.map { .array($0.map(Self.coord)) })])
        case .polygon(let rs): return .bag(["type": .string("Polygon"), "coordinates": .array(rs.map(Self.closed))])
        case .multiPolygon(let ps): return .bag(["type": .string("MultiPolygon"), "coordinates": .array(ps.map { .array($0.map(Self.closed)) })])
        case .collection(let gs): return .bag(["type": .string("GeometryCollection"), "geometries": .array(gs.map(\.value))])
        }
    }

    /// Polygons (each a list of rings) of a polygonal shape.
    var polygons: [[[Sphere.Point]]]? {
        switch self {
        case .polygon(let rs): return [rs]
        case .multiPolygon(let ps): return ps
        case .collection(let gs): let all = gs.compactMap(\.polygons); return all.isEmpty ? nil : all.flatMap { $0 }
        default: return nil
        }
    }

    /// Lines of a linear shape.
    var lines: [[Sphere.Point]]? {
        switch self {
        case .line(let ps): return [ps]
        case .multiLine(let ls): return ls
        default: return nil
        }
    }
}
