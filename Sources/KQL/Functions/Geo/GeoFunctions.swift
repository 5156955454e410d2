import Foundation

/// Geospatial functions on Kusto's sphere (`Sphere`): distances, containment and intersections with
/// geodesic edges, lengths, areas and centroids, densification, buffers around points, geohash and S2
/// cells, and shapes from well-known text. Coordinates out of range or invalid shapes give null.
enum GeoFunctions {
    static func point(_ lon: Value, _ lat: Value) -> Sphere.Point? {
        guard let x = lon.asDouble, let y = lat.asDouble else { return nil }
        let p = Sphere.Point(lon: x, lat: y)
        return Sphere.valid(p) ? p : nil
    }

    static func rings(_ v: Value) -> [[[Sphere.V3]]]? { GeoShape.parse(v)?.polygons?.map { $0.map { $0.map(Sphere.vec) } } }

    static func inPolygons(_ p: Sphere.V3, _ polys: [[[Sphere.V3]]]) -> Bool {
        polys.contains { rs in Sphere.inRing(p, rs[0]) && !rs.dropFirst().contains { Sphere.inRing(p, $0) } }
    }

    static func edges(_ ring: [Sphere.V3], closed: Bool) -> [(Sphere.V3, Sphere.V3)] {
        guard ring.count >= 2 else { return [] }
        var out = (0..<(ring.count - 1)).map { (ring[$0], ring[$0 + 1]) }
        if closed { out.append((ring[ring.count - 1], ring[0])) }
        return out
    }

    static func lineLength(_ line: [Sphere.V3]) -> Double { edges(line, closed: false).reduce(0) { $0 + Sphere.angle($1.0, $1.1) } * Sphere.radius }

    static func densify(_ pts: [Sphere.Point], closed: Bool, tolerance: Double) -> [Sphere.Point] {
        var out: [Sphere.Point] = []
        let vs = pts.map(Sphere.vec)
        for (k, (a, b)) in edges(vs, closed: closed).enumerated() {
            // The chord between two points on a great circle strays from the arc by R(1 - cos(θ/2)).
            let theta = Sphere.angle(a, b)
            var n = 1
            while Sphere.radius * (1 - cos(theta / Double(n) / 2)) > tolerance && n < 10_000 { n *= 2 }
            out.append(pts[k])
            for s in 1..<n { out.append(Sphere.point(Sphere.interpolate(a, b, Double(s) / Double(n)))) }
        }
        if !closed, let last = pts.last { out.append(last) }
        return out
    }

    static let all: [FunctionDef] = [
        F.row("geo_distance_2points", 4...4, .real) { a, _ in
            guard let p = point(a[0], a[1]), let q = point(a[2], a[3]) else { return .null }
            return .real(Sphere.distance(p, q))
        },
        F.row("geo_point_in_circle", 5...5, .bool) { a, _ in
            guard let p = point(a[0], a[1]), let c = point(a[2], a[3]), let r = a[4].asDouble, r >= 0 else { return .null }
            return .bool(Sphere.distance(p, c) <= r)
        },
        F.row("geo_point_in_polygon", 3...3, .bool) { a, _ in
            guard let p = point(a[0], a[1]), let polys = rings(a[2]) else { return .null }
            return .bool(inPolygons(Sphere.vec(p), polys))
        },
        F.row("geo_distance_point_to_line", 3...3, .real) { a, _ in
            guard let p = point(a[0], a[1]), let lines = GeoShape.parse(a[2])?.lines else { return .null }
            let v = Sphere.vec(p)
            return .real(lines.flatMap { edges($0.map(Sphere.vec), closed: false) }.map { Sphere.distanceToArc(v, $0.0, $0.1) }.min() ?? 0)
        },
        F.row("geo_distance_point_to_polygon", 3...3, .real) { a, _ in
            guard let p = point(a[0], a[1]), let polys = rings(a[2]) else { return .null }
            let v = Sphere.vec(p)
            if inPolygons(v, polys) { return .real(0) }
            return .real(polys.flatMap { $0.flatMap { edges($0, closed: true) } }.map { Sphere.distanceToArc(v, $0.0, $0.1) }.min() ?? 0)
        },
        F.row("geo_line_length", 1...1, .real) { a, _ in
            guard let lines = GeoShape.parse(a[0])?.lines else { return .null }
            return .real(lines.reduce(0) { $0 + lineLength($1.map(Sphere.vec)) })
        },
        F.row("geo_polygon_area", 1...1, .real) { a, _ in
            guard let polys = rings(a[0]) else { return .null }
            return .real(polys.reduce(0) { t, rs in t + Sphere.ringArea(rs[0]) - rs.dropFirst().reduce(0) { $0 + Sphere.ringArea($1) } })
        },
        F.row("geo_polygon_perimeter", 1...1, .real) { a, _ in
            guard let polys = rings(a[0]) else { return .null }
            return .real(polys.reduce(0) { t, rs in t + rs.reduce(0) { $0 + edges($1, closed: true).reduce(0) { $0 + Sphere.angle($1.0, $1.1) } * Sphere.radius } })
        },
        F.row("geo_polygon_centroid", 1...1, .dynamic) { a, _ in
            guard let polys = rings(a[0]) else { return .null }
            let sum = polys.reduce(Sphere.V3(x: 0, y: 0, z: 0)) { $0 + Sphere.ringCentroid($1[0]) * Sphere.ringArea($1[0]) }
            return GeoShape.point(Sphere.point(sum)).value
        },
        F.row("geo_line_centroid", 1...1, .dynamic) { a, _ in
            guard let lines = GeoShape.parse(a[0])?.lines else { return .null }
            var sum = Sphere.V3(x: 0, y: 0, z: 0)
            for l in lines { for (p, q) in edges(l.map(Sphere.vec), closed: false) { sum = sum + Sphere.interpolate(p, q, 0.5) * Sphere.angle(p, q) } }
            guard sum.norm > 0 else { return lines.first?.first.map { GeoShape.point($0).value } ?? .null }
            return GeoShape.point(Sphere.point(sum)).value
        },
        F.row("geo_line_densify", 1...3, .dynamic) { a, _ in
            guard case .line(let pts)? = GeoShape.parse(a[0]) else { return .null }
            let tol = a.count > 1 ? (a[1].asDouble ?? 10) : 10
            guard tol >= 0.1 else { return .null }
            return GeoShape.line(densify(pts, closed: false, tolerance: tol)).value
        },
        F.row("geo_polygon_densify", 1...3, .dynamic) { a, _ in
            guard let s = GeoShape.parse(a[0]), let polys = s.polygons else { return .null }
            let tol = a.count > 1 ? (a[1].asDouble ?? 10) : 10
            guard tol >= 0.1 else { return .null }
            let out = polys.map { $0.map { densify($0, closed: true, tolerance: tol) } }
            return (out.count == 1 ? GeoShape.polygon(out[0]) : GeoShape.multiPolygon(out)).value
        },
        F.row("geo_line_interpolate_point", 2...2, .dynamic) { a, _ in
            guard case .line(let pts)? = GeoShape.parse(a[0]), let f = a[1].asDouble, f >= 0, f <= 1 else { return .null }
            let vs = pts.map(Sphere.vec)
            let total = lineLength(vs)
            var left = f * total
            for (p, q) in edges(vs, closed: false) {
                let d = Sphere.angle(p, q) * Sphere.radius
                if left <= d || d == 0 { return GeoShape.point(Sphere.point(Sphere.interpolate(p, q, d == 0 ? 0 : left / d))).value }
                left -= d
            }
            return GeoShape.point(pts.last!).value
        },
        F.row("geo_line_locate_point", 3...3, .real) { a, _ in
            guard case .line(let pts)? = GeoShape.parse(a[0]), let p = point(a[1], a[2]) else { return .null }
            let vs = pts.map(Sphere.vec), v = Sphere.vec(p)
            let total = lineLength(vs)
            guard total > 0 else { return .real(0) }
            var best = (Double.infinity, 0.0), along = 0.0
            for (s, e) in edges(vs, closed: false) {
                let d = Sphere.distanceToArc(v, s, e)
                let seg = Sphere.angle(s, e)
                let n = s.cross(e)
                let proj = n.norm > 0 ? (v - n.unit * v.dot(n.unit)).unit : s
                let t = min(seg, max(0, Sphere.angle(s, proj)))
                if d < best.0 { best = (d, (along + t * Sphere.radius) / total) }
                along += seg * Sphere.radius
            }
            return .real(min(1, best.1))
        },
        F.row("geo_angle", 6...6, .real) { a, _ in
            guard let p1 = point(a[0], a[1]), let p2 = point(a[2], a[3]), let p3 = point(a[4], a[5]) else { return .null }
            let b = Sphere.vec(p2), n1 = b.cross(Sphere.vec(p1)), n2 = b.cross(Sphere.vec(p3))
            guard n1.norm > 0, n2.norm > 0 else { return .null }
            var ang = atan2(n1.cross(n2).dot(b), n1.dot(n2))
            if ang < 0 { ang += 2 * Double.pi }
            return .real(ang)
        },
        F.row("geo_point_buffer", 3...4, .dynamic) { a, _ in
            guard let c = point(a[0], a[1]), let r = a[2].asDouble, r > 0, r < Sphere.radius * Double.pi / 2 else { return .null }
            let tol = a.count > 3 ? max(0.1, a[3].asDouble ?? 10) : 10
            var n = 8
            while r * (1 - cos(Double.pi / Double(n))) > tol && n < 4096 { n *= 2 }
            let ring = (0..<n).map { Sphere.destination(c, bearing: -2 * Double.pi * Double($0) / Double(n), distance: r) }
            return GeoShape.polygon([ring]).value
        },
        F.row("geo_intersects_2lines", 2...2, .bool) { a, _ in
            guard let l1 = GeoShape.parse(a[0])?.lines, let l2 = GeoShape.parse(a[1])?.lines else { return .null }
            let e1 = l1.flatMap { edges($0.map(Sphere.vec), closed: false) }, e2 = l2.flatMap { edges($0.map(Sphere.vec), closed: false) }
            return .bool(e1.contains { x in e2.contains { Sphere.arcsIntersect(x.0, x.1, $0.0, $0.1) } })
        },
        F.row("geo_intersects_line_with_polygon", 2...2, .bool) { a, _ in
            guard let lines = GeoShape.parse(a[0])?.lines, let polys = rings(a[1]) else { return .null }
            let le = lines.flatMap { edges($0.map(Sphere.vec), closed: false) }
            if lines.contains(where: { $0.contains { inPolygons(Sphere.vec($0), polys) } }) { return .bool(true) }
            let pe = polys.flatMap { $0.flatMap { edges($0, closed: true) } }
            return .bool(le.contains { x in pe.contains { Sphere.arcsIntersect(x.0, x.1, $0.0, $0.1) } })
        },
        F.row("geo_intersects_2polygons", 2...2, .bool) { a, _ in
            guard let p1 = rings(a[0]), let p2 = rings(a[1]) else { return .null }
            if p1.contains(where: { $0[0].contains { inPolygons($0, p2) } }) || p2.contains(where: { $0[0].contains { inPolygons($0, p1) } }) { return .bool(true) }
            let e1 = p1.flatMap { $0.flatMap { edges($0, closed: true) } }, e2 = p2.flatMap { $0.flatMap { edges($0, closed: true) } }
            return .bool(e1.contains { x in e2.contains { Sphere.arcsIntersect(x.0, x.1, $0.0, $0.1) } })
        },
        F.row("geo_from_wkt", 1...1, .dynamic) { a, _ in WKT.parse(a[0].kqlString)?.value ?? .null },
        F.row("geo_point_to_geohash", 2...3, .string) { a, _ in
            guard let p = point(a[0], a[1]) else { return .string("") }
            let precision = a.count > 2 ? (a[2].int ?? 5) : 5
            guard (1...18).contains(precision) else { return .null }
            return .string(Geohash.encode(p, precision: precision))
        },
        F.row("geo_geohash_to_central_point", 1...1, .dynamic) { a, _ in
            guard let (w, s, e, n) = Geohash.bounds(a[0].kqlString) else { return .null }
            return GeoShape.point(Sphere.Point(lon: (w + e) / 2, lat: (s + n) / 2)).value
        },
        F.row("geo_geohash_to_polygon", 1...1, .dynamic) { a, _ in
            guard let (w, s, e, n) = Geohash.bounds(a[0].kqlString) else { return .null }
            return GeoShape.polygon([[.init(lon: w, lat: s), .init(lon: e, lat: s), .init(lon: e, lat: n), .init(lon: w, lat: n)]]).value
        },
        F.row("geo_geohash_neighbors", 1...1, .dynamic) { a, _ in Geohash.neighbors(a[0].kqlString).map { .array($0.map { .string($0) }) } ?? .null },
        F.row("geo_point_to_s2cell", 2...3, .string) { a, _ in
            guard let p = point(a[0], a[1]) else { return .string("") }
            let level = a.count > 2 ? (a[2].int ?? 11) : 11
            guard (0...30).contains(level) else { return .null }
            return .string(S2Cell.token(S2Cell.cell(p, level: level)))
        },
        F.row("geo_s2cell_to_central_point", 1...1, .dynamic) { a, _ in
            guard let id = S2Cell.id(token: a[0].kqlString), let c = S2Cell.center(id) else { return .null }
            return GeoShape.point(c).value
        },
        F.row("geo_s2cell_to_polygon", 1...1, .dynamic) { a, _ in
            guard let id = S2Cell.id(token: a[0].kqlString), let vs = S2Cell.vertices(id) else { return .null }
            return GeoShape.polygon([vs]).value
        },
        F.row("geo_s2cell_neighbors", 1...1, .dynamic) { a, _ in
            guard let id = S2Cell.id(token: a[0].kqlString), let ns = S2Cell.neighbors(id) else { return .null }
            return .array(ns.map { .string(S2Cell.token($0)) })
        },
        F.row("geo_s2cell_level", 1...1, .int) { a, _ in S2Cell.id(token: a[0].kqlString).flatMap(S2Cell.level).map { .long(Int64($0)) } ?? .null },
    ]
}
