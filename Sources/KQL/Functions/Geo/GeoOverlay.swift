import CGEOS
import Foundation

/// Polygon and line overlays (intersection, union) and buffers on the sphere, computed by GEOS in
/// the gnomonic plane of the shapes (`Gnomonic`): a straight edge there is a geodesic on the sphere,
/// so intersections of edges come out where Kusto's geodesic edges cross. Result vertices that are
/// input vertices are given back exactly as they came in; rings are oriented as Kusto writes them
/// (shells counterclockwise, holes clockwise). Invalid input (a ring that crosses itself, a shape
/// wider than the projection holds) gives nil: the functions return null.
enum GeoOverlay {
    enum Operation { case intersection, union }

    /// The overlay of `shapes` (two for an intersection, any number for a union); with `simplify`,
    /// the result's edges simplified (Douglas-Peucker, metres) after it: one union first keeps the
    /// boundaries the polygons share simplified alike, and a polygon the tolerance collapses goes
    /// (nothing left is nil).
    static func overlay(_ shapes: [GeoShape], _ op: Operation, simplify: Double? = nil) -> GeoShape? {
        let points = shapes.flatMap(\.allPoints)
        guard !points.isEmpty, let plane = Gnomonic(around: points) else { return nil }
        return withContext { h in
            var exact: [Key: Sphere.Point] = [:]
            for p in points { let (x, y) = plane.project(p); exact[Key(x: x, y: y)] = p }
            var geoms: [OpaquePointer] = []
            defer { for g in geoms { GEOSGeom_destroy_r(h, g) } }
            for s in shapes {
                guard let g = geometry(h, s, plane) else { return nil }
                geoms.append(g)
                guard GEOSisValid_r(h, g) == 1 else { return nil }
            }
            guard let first = geoms.first else { return nil }
            var result: OpaquePointer? = GEOSGeom_clone_r(h, first)
            for g in geoms.dropFirst() {
                guard let r = result else { return nil }
                result = op == .intersection ? GEOSIntersection_r(h, r, g) : GEOSUnion_r(h, r, g)
                GEOSGeom_destroy_r(h, r)
            }
            guard var r = result else { return nil }
            if let simplify {
                guard let simpler = GEOSSimplify_r(h, r, simplify) else { GEOSGeom_destroy_r(h, r); return nil }
                GEOSGeom_destroy_r(h, r)
                r = simpler
                if GEOSisEmpty_r(h, r) == 1 { GEOSGeom_destroy_r(h, r); return nil }
            }
            // Noded pieces of lines are merged back into the longest lines, as Kusto returns them.
            if GEOSGeomTypeId_r(h, r) == Int32(GEOS_MULTILINESTRING.rawValue), let merged = GEOSLineMerge_r(h, r) {
                GEOSGeom_destroy_r(h, r)
                r = merged
            }
            defer { GEOSGeom_destroy_r(h, r) }
            return shape(h, r, plane, exact)
        }
    }

    /// Every point within `radius` metres of `s`; `tolerance` bounds how far the arcs' chords stray.
    static func buffer(_ s: GeoShape, radius: Double, tolerance: Double) -> GeoShape? {
        let points = s.allPoints
        guard !points.isEmpty, let plane = Gnomonic(around: points) else { return nil }
        // The buffer stays in the projection's hemisphere: its edge is at most 80 degrees out.
        let reach = points.map { Sphere.angle(Sphere.vec($0), plane.center) }.max() ?? 0
        guard reach + radius / Sphere.radius < 80 * Sphere.toRad else { return nil }
        // Segments per quarter circle: a chord of the arc strays r(1 - cos(θ/2)) from it.
        let step = 2 * acos(max(-1, 1 - tolerance / radius))
        let quadrants = Int32(max(1, min(1024, (Double.pi / 2 / max(step, 1e-9)).rounded(.up))))
        return withContext { h in
            guard let g = geometry(h, s, plane) else { return nil }
            defer { GEOSGeom_destroy_r(h, g) }
            guard GEOSisValid_r(h, g) == 1, let b = GEOSBuffer_r(h, g, radius, quadrants) else { return nil }
            defer { GEOSGeom_destroy_r(h, b) }
            return shape(h, b, plane, [:])
        }
    }

    struct Key: Hashable { var x, y: Double }

    static func withContext<T>(_ body: (GEOSContextHandle_t) -> T?) -> T? {
        guard let h = GEOS_init_r() else { return nil }
        defer { GEOS_finish_r(h) }
        return body(h)
    }

    // MARK: shapes to GEOS

    static func sequence(_ h: GEOSContextHandle_t, _ pts: [Sphere.Point], _ plane: Gnomonic, closed: Bool) -> OpaquePointer? {
        let all = closed && !pts.isEmpty ? pts + [pts[0]] : pts
        guard let seq = GEOSCoordSeq_create_r(h, UInt32(all.count), 2) else { return nil }
        for (i, p) in all.enumerated() {
            let (x, y) = plane.project(p)
            GEOSCoordSeq_setXY_r(h, seq, UInt32(i), x, y)
        }
        return seq
    }

    static func polygon(_ h: GEOSContextHandle_t, _ rings: [[Sphere.Point]], _ plane: Gnomonic) -> OpaquePointer? {
        guard rings.allSatisfy({ $0.count >= 3 }), let shellSeq = sequence(h, rings[0], plane, closed: true),
              let shell = GEOSGeom_createLinearRing_r(h, shellSeq) else { return nil }
        var holes: [OpaquePointer?] = rings.dropFirst().map { r in sequence(h, r, plane, closed: true).flatMap { GEOSGeom_createLinearRing_r(h, $0) } }
        if holes.contains(where: { $0 == nil }) {
            GEOSGeom_destroy_r(h, shell)
            for x in holes { if let x { GEOSGeom_destroy_r(h, x) } }
            return nil
        }
        return holes.withUnsafeMutableBufferPointer { GEOSGeom_createPolygon_r(h, shell, $0.baseAddress, UInt32($0.count)) }
    }

    static func collection(_ h: GEOSContextHandle_t, _ type: Int32, _ parts: [OpaquePointer?]) -> OpaquePointer? {
        if parts.contains(where: { $0 == nil }) {
            for x in parts { if let x { GEOSGeom_destroy_r(h, x) } }
            return nil
        }
        var ps = parts
        return ps.withUnsafeMutableBufferPointer { GEOSGeom_createCollection_r(h, type, $0.baseAddress, UInt32($0.count)) }
    }

    static func geometry(_ h: GEOSContextHandle_t, _ s: GeoShape, _ plane: Gnomonic) -> OpaquePointer? {
        func line(_ pts: [Sphere.Point]) -> OpaquePointer? { sequence(h, pts, plane, closed: false).flatMap { GEOSGeom_createLineString_r(h, $0) } }
        func point(_ p: Sphere.Point) -> OpaquePointer? { sequence(h, [p], plane, closed: false).flatMap { GEOSGeom_createPoint_r(h, $0) } }
        switch s {
        case .point(let p): return point(p)
        case .multiPoint(let ps): return collection(h, Int32(GEOS_MULTIPOINT.rawValue), ps.map(point))
        case .line(let ps): return line(ps)
        case .multiLine(let ls): return collection(h, Int32(GEOS_MULTILINESTRING.rawValue), ls.map(line))
        case .polygon(let rs): return polygon(h, rs, plane)
        case .multiPolygon(let ps): return collection(h, Int32(GEOS_MULTIPOLYGON.rawValue), ps.map { polygon(h, $0, plane) })
        case .collection(let gs): return collection(h, Int32(GEOS_GEOMETRYCOLLECTION.rawValue), gs.map { geometry(h, $0, plane) })
        }
    }

    // MARK: GEOS to shapes

    static func points(_ h: GEOSContextHandle_t, _ g: OpaquePointer, _ plane: Gnomonic, _ exact: [Key: Sphere.Point]) -> [Sphere.Point] {
        guard let seq = GEOSGeom_getCoordSeq_r(h, g) else { return [] }
        var n: UInt32 = 0
        GEOSCoordSeq_getSize_r(h, seq, &n)
        return (0..<n).map { i in
            var x = 0.0, y = 0.0
            GEOSCoordSeq_getXY_r(h, seq, i, &x, &y)
            return exact[Key(x: x, y: y)] ?? plane.unproject(x, y)
        }
    }

    /// A ring without its closing point, turned to `counterclockwise` (the plane keeps orientation).
    static func ring(_ h: GEOSContextHandle_t, _ g: OpaquePointer, _ plane: Gnomonic, _ exact: [Key: Sphere.Point], counterclockwise: Bool) -> [Sphere.Point] {
        var pts = points(h, g, plane, exact)
        if pts.count > 1 && pts.first == pts.last { pts.removeLast() }
        // GEOS reads the orientation off the plane's coordinates (not projected again from the points).
        var ccw: Int8 = 0
        if let seq = GEOSGeom_getCoordSeq_r(h, g) { GEOSCoordSeq_isCCW_r(h, seq, &ccw) }
        return (ccw == 1) == counterclockwise ? pts : pts.reversed()
    }

    static func shape(_ h: GEOSContextHandle_t, _ g: OpaquePointer, _ plane: Gnomonic, _ exact: [Key: Sphere.Point]) -> GeoShape? {
        func parts() -> [OpaquePointer] { (0..<max(0, GEOSGetNumGeometries_r(h, g))).compactMap { GEOSGetGeometryN_r(h, g, $0) } }
        if GEOSisEmpty_r(h, g) == 1 { return .collection([]) }
        switch Int(GEOSGeomTypeId_r(h, g)) {
        case Int(GEOS_POINT.rawValue): return points(h, g, plane, exact).first.map { .point($0) }
        case Int(GEOS_LINESTRING.rawValue), Int(GEOS_LINEARRING.rawValue): return .line(points(h, g, plane, exact))
        case Int(GEOS_POLYGON.rawValue):
            guard let shell = GEOSGetExteriorRing_r(h, g) else { return nil }
            var rings = [ring(h, shell, plane, exact, counterclockwise: true)]
            for i in 0..<max(0, GEOSGetNumInteriorRings_r(h, g)) {
                if let hole = GEOSGetInteriorRingN_r(h, g, i) { rings.append(ring(h, hole, plane, exact, counterclockwise: false)) }
            }
            return .polygon(rings)
        case Int(GEOS_MULTIPOINT.rawValue): return .multiPoint(parts().compactMap { points(h, $0, plane, exact).first })
        case Int(GEOS_MULTILINESTRING.rawValue): return .multiLine(parts().map { points(h, $0, plane, exact) })
        case Int(GEOS_MULTIPOLYGON.rawValue):
            let ps = parts().compactMap { p -> [[Sphere.Point]]? in if case .polygon(let rs)? = shape(h, p, plane, exact) { return rs } else { return nil } }
            return .multiPolygon(ps)
        default:
            // Points first, then lines, then polygons, as Kusto lists a mixed result.
            let gs = parts().filter { GEOSisEmpty_r(h, $0) != 1 }.compactMap { shape(h, $0, plane, exact) }
            return gs.count == 1 ? gs[0] : .collection(gs.enumerated().sorted { ($0.element.dimension, $0.offset) < ($1.element.dimension, $1.offset) }.map(\.element))
        }
    }
}

extension GeoShape {
    /// 0 for points, 1 for lines, 2 for polygons (a collection: its highest).
    var dimension: Int {
        switch self {
        case .point, .multiPoint: return 0
        case .line, .multiLine: return 1
        case .polygon, .multiPolygon: return 2
        case .collection(let gs): return gs.map(\.dimension).max() ?? 0
        }
    }

    /// Every vertex of the shape.
    var allPoints: [Sphere.Point] {
        switch self {
        case .point(let p): return [p]
        case .multiPoint(let ps), .line(let ps): return ps
        case .multiLine(let ls): return ls.flatMap { $0 }
        case .polygon(let rs): return rs.flatMap { $0 }
        case .multiPolygon(let ps): return ps.flatMap { $0.flatMap { $0 } }
        case .collection(let gs): return gs.flatMap(\.allPoints)
        }
    }
}
