import Foundation

/// Geometry on Kusto's Earth: a sphere of radius 6,371,010 m (the figure Kusto's documented distances
/// imply), edges are geodesics (great-circle arcs), coordinates are WGS-84 longitude then latitude.
enum Sphere {
    static let radius = 6_371_010.0
    static let toRad = Double.pi / 180

    struct V3: Equatable {
        var x, y, z: Double
        static func + (a: V3, b: V3) -> V3 { V3(x: a.x + b.x, y: a.y + b.y, z: a.z + b.z) }
        static func - (a: V3, b: V3) -> V3 { V3(x: a.x - b.x, y: a.y - b.y, z: a.z - b.z) }
        static func * (a: V3, k: Double) -> V3 { V3(x: a.x * k, y: a.y * k, z: a.z * k) }
        func dot(_ b: V3) -> Double { x * b.x + y * b.y + z * b.z }
        func cross(_ b: V3) -> V3 { V3(x: y * b.z - z * b.y, y: z * b.x - x * b.z, z: x * b.y - y * b.x) }
        var norm: Double { dot(self).squareRoot() }
        var unit: V3 { let n = norm; return n > 0 ? self * (1 / n) : self }
    }

    struct Point: Equatable { var lon, lat: Double }

    static func valid(_ p: Point) -> Bool { abs(p.lat) <= 90 && abs(p.lon) <= 180 && p.lat.isFinite && p.lon.isFinite }

    static func vec(_ p: Point) -> V3 {
        let la = p.lat * toRad, lo = p.lon * toRad
        return V3(x: cos(la) * cos(lo), y: cos(la) * sin(lo), z: sin(la))
    }

    static func point(_ v: V3) -> Point {
        let u = v.unit
        return Point(lon: atan2(u.y, u.x) / toRad, lat: asin(max(-1, min(1, u.z))) / toRad)
    }

    /// Central angle between two unit vectors, stable for small and large angles.
    static func angle(_ a: V3, _ b: V3) -> Double { atan2(a.cross(b).norm, a.dot(b)) }

    static func distance(_ a: Point, _ b: Point) -> Double {
        let r = toRad
        let h = pow(sin((b.lat - a.lat) * r / 2), 2) + cos(a.lat * r) * cos(b.lat * r) * pow(sin((b.lon - a.lon) * r / 2), 2)
        return 2 * radius * asin(min(1, h.squareRoot()))
    }

    /// Shortest distance (metres) from a point to the great-circle arc a-b.
    static func distanceToArc(_ p: V3, _ a: V3, _ b: V3) -> Double {
        let n = a.cross(b)
        if n.norm < 1e-15 { return angle(p, a) * radius }
        let nu = n.unit
        // The point's projection onto the arc's great circle, if it falls between a and b.
        let proj = (p - nu * p.dot(nu)).unit
        if a.cross(proj).dot(n) >= 0 && proj.cross(b).dot(n) >= 0 { return abs(asin(max(-1, min(1, p.dot(nu))))) * radius }
        return min(angle(p, a), angle(p, b)) * radius
    }

    /// Whether two great-circle arcs cross (or touch).
    static func arcsIntersect(_ a1: V3, _ a2: V3, _ b1: V3, _ b2: V3) -> Bool {
        let na = a1.cross(a2), nb = b1.cross(b2)
        let d = na.cross(nb)
        guard d.norm > 1e-15 else {
            // On one great circle: they intersect when an endpoint of one lies on the other.
            func onArc(_ p: V3, _ s: V3, _ e: V3) -> Bool { abs(angle(s, p) + angle(p, e) - angle(s, e)) < 1e-12 }
            return onArc(b1, a1, a2) || onArc(b2, a1, a2) || onArc(a1, b1, b2) || onArc(a2, b1, b2)
        }
        for cand in [d.unit, d.unit * -1] {
            func within(_ p: V3, _ s: V3, _ e: V3) -> Bool { abs(angle(s, p) + angle(p, e) - angle(s, e)) < 1e-9 }
            if within(cand, a1, a2) && within(cand, b1, b2) { return true }
        }
        return false
    }

    /// Whether a point lies inside a closed ring (winding of the ring's arcs as seen from the point).
    static func inRing(_ p: V3, _ ring: [V3]) -> Bool {
        guard ring.count >= 3 else { return false }
        var total = 0.0
        for i in 0..<ring.count {
            let a = ring[i], b = ring[(i + 1) % ring.count]
            if angle(p, a) < 1e-12 { return true }
            let pa = p.cross(a), pb = p.cross(b)
            guard pa.norm > 0, pb.norm > 0 else { continue }
            total += atan2(pa.cross(pb).dot(p), pa.dot(pb))
        }
        return abs(total) > Double.pi
    }

    /// Area (square metres) of a ring by its spherical excess, summed over a fan of triangles.
    static func ringArea(_ ring: [V3]) -> Double {
        guard ring.count >= 3 else { return 0 }
        var excess = 0.0
        let o = ring[0]
        for i in 1..<(ring.count - 1) {
            let a = ring[i], b = ring[i + 1]
            // Oriented triangle excess: Van Oosterom and Strackee.
            let num = o.dot(a.cross(b))
            let den = 1 + o.dot(a) + a.dot(b) + b.dot(o)
            excess += 2 * atan2(num, den)
        }
        return abs(excess) * radius * radius
    }

    static func ringCentroid(_ ring: [V3]) -> V3 {
        guard ring.count >= 3 else { return ring.reduce(V3(x: 0, y: 0, z: 0), +).unit }
        var sum = V3(x: 0, y: 0, z: 0)
        let o = ring[0]
        for i in 1..<(ring.count - 1) {
            let a = ring[i], b = ring[i + 1]
            let w = 2 * atan2(o.dot(a.cross(b)), 1 + o.dot(a) + a.dot(b) + b.dot(o))
            sum = sum + (o + a + b).unit * w
        }
        return sum.norm > 0 ? sum.unit : ring.reduce(V3(x: 0, y: 0, z: 0), +).unit
    }

    /// The point a fraction of the way along the arc a-b.
    static func interpolate(_ a: V3, _ b: V3, _ f: Double) -> V3 {
        let w = angle(a, b)
        guard w > 1e-15 else { return a }
        return (a * (sin((1 - f) * w) / sin(w)) + b * (sin(f * w) / sin(w))).unit
    }

    /// The point at `distance` metres from `p` on the bearing `bearing` (radians from north).
    static func destination(_ p: Point, bearing: Double, distance: Double) -> Point {
        let d = distance / radius, la = p.lat * toRad, lo = p.lon * toRad
        let la2 = asin(sin(la) * cos(d) + cos(la) * sin(d) * cos(bearing))
        let lo2 = lo + atan2(sin(bearing) * sin(d) * cos(la), cos(d) - sin(la) * sin(la2))
        var lon = lo2 / toRad
        if lon > 180 { lon -= 360 } else if lon < -180 { lon += 360 }
        return Point(lon: lon, lat: la2 / toRad)
    }
}
