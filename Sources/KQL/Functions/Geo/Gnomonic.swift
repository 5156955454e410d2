import Foundation

/// The gnomonic projection about a centre: every great circle becomes a straight line, so a planar
/// overlay of projected shapes is exact for Kusto's geodesic edges (the intersection of two edges
/// projects to the intersection of their images). Coordinates are scaled by the Earth's radius, so
/// a unit is a metre near the centre. Defined only for the open hemisphere around the centre: shapes
/// are kept within 80 degrees of it.
struct Gnomonic {
    let center: Sphere.V3
    let east: Sphere.V3
    let north: Sphere.V3

    /// Cosine of the largest angle from the centre a projected point may have (80 degrees).
    static let minCos = cos(80.0 * Double.pi / 180)

    /// About the normalised mean of `points`; nil when they have no mean direction or one of them
    /// lies too far from it.
    init?(around points: [Sphere.Point]) {
        let sum = points.reduce(Sphere.V3(x: 0, y: 0, z: 0)) { $0 + Sphere.vec($1) }
        guard sum.norm > 1e-12 else { return nil }
        let c = sum * (1 / sum.norm)
        // East is the pole's direction crossed with the centre; at a pole any tangent will do.
        var e = Sphere.V3(x: 0, y: 0, z: 1).cross(c)
        if e.norm < 1e-9 { e = Sphere.V3(x: 0, y: 1, z: 0).cross(c) }
        e = e * (1 / e.norm)
        center = c; east = e; north = c.cross(e)
        for p in points where Sphere.vec(p).dot(c) < Self.minCos { return nil }
    }

    func project(_ p: Sphere.Point) -> (x: Double, y: Double) {
        let v = Sphere.vec(p), d = v.dot(center)
        return (v.dot(east) / d * Sphere.radius, v.dot(north) / d * Sphere.radius)
    }

    func unproject(_ x: Double, _ y: Double) -> Sphere.Point {
        Sphere.point(center + east * (x / Sphere.radius) + north * (y / Sphere.radius))
    }
}
