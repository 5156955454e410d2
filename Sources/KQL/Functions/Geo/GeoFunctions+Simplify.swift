import Foundation

/// `geo_line_simplify` and `geo_polygon_simplify`: Douglas-Peucker on the sphere. A vertex stays when
/// it lies farther than the tolerance (metres, default 10, below ~7,800 km) from the geodesic between
/// the vertices kept around it; a line shorter than the tolerance, or a ring left with fewer than
/// three vertices, disappears (a polygon without its outer ring is null, a hole is dropped).
extension GeoFunctions {
    static let simplification: [FunctionDef] = [
        F.row("geo_line_simplify", 1...2, .dynamic) { a, _ in
            guard let lines = GeoShape.parse(a[0])?.lines, let tol = tolerance(a) else { return .null }
            let kept: [[Sphere.Point]] = lines.compactMap { line in
                let s = simplify(line, tolerance: tol)
                guard s.count >= 2, Sphere.distance(s[0], s[s.count - 1]) >= tol || s.count > 2 else { return nil }
                return s
            }
            if kept.isEmpty { return .null }
            return (kept.count == 1 ? GeoShape.line(kept[0]) : GeoShape.multiLine(kept)).value
        },
        F.row("geo_polygon_simplify", 1...2, .dynamic) { a, _ in
            guard let polys = GeoShape.parse(a[0])?.polygons, let tol = tolerance(a) else { return .null }
            let kept: [[[Sphere.Point]]] = polys.compactMap { rings in
                guard let outer = rings.first.map({ simplifyRing($0, tolerance: tol) }), outer.count >= 3 else { return nil }
                return [outer] + rings.dropFirst().map { simplifyRing($0, tolerance: tol) }.filter { $0.count >= 3 }
            }
            if kept.isEmpty { return .null }
            return (kept.count == 1 ? GeoShape.polygon(kept[0]) : GeoShape.multiPolygon(kept)).value
        },
    ]

    static func tolerance(_ a: [Value]) -> Double? {
        guard a.count > 1, !a[1].isNull else { return 10 }
        guard let t = a[1].asDouble, t >= 0, t < 7_800_000 else { return nil }
        return t
    }

    /// The vertices Douglas-Peucker keeps of an open line (its ends always).
    static func simplify(_ pts: [Sphere.Point], tolerance: Double) -> [Sphere.Point] {
        guard pts.count > 2 else { return pts }
        let v = pts.map(Sphere.vec)
        var keep = [Bool](repeating: false, count: pts.count)
        keep[0] = true
        keep[pts.count - 1] = true
        var stack = [(0, pts.count - 1)]
        while let (lo, hi) = stack.popLast() {
            guard hi > lo + 1 else { continue }
            var far = -1.0, at = lo
            for i in (lo + 1)..<hi {
                let d = Sphere.distanceToArc(v[i], v[lo], v[hi])
                if d > far { far = d; at = i }
            }
            if far > tolerance {
                keep[at] = true
                stack.append((lo, at))
                stack.append((at, hi))
            }
        }
        return pts.indices.filter { keep[$0] }.map { pts[$0] }
    }

    /// A closed ring: split at the vertex farthest from the first, each half simplified as a line.
    static func simplifyRing(_ ring: [Sphere.Point], tolerance: Double) -> [Sphere.Point] {
        guard ring.count > 3 else { return ring }
        let first = Sphere.vec(ring[0])
        let far = ring.indices.max { Sphere.angle(first, Sphere.vec(ring[$0])) < Sphere.angle(first, Sphere.vec(ring[$1])) } ?? 0
        guard far > 0 else { return ring }
        let a = simplify(Array(ring[0...far]), tolerance: tolerance)
        let b = simplify(Array(ring[far...]) + [ring[0]], tolerance: tolerance)
        return a + b.dropFirst().dropLast()
    }
}
