import Foundation
import Testing
@testable import KQL

/// The projection the polygon overlays run in: points come back where they were, and every point of
/// a geodesic lands on the straight segment between its ends' images (so GEOS's planar intersections
/// are the geodesics' crossings). Shapes a hemisphere cannot hold are refused.
@Suite struct GnomonicTests {
    @Test func geodesicsAreStraightAndPointsComeBack() throws {
        var rng = SplitMix(seed: 3)
        for _ in 0..<200 {
            let c = Sphere.Point(lon: Double.random(in: -180...180, using: &rng), lat: Double.random(in: -89...89, using: &rng))
            let a = Sphere.destination(c, bearing: Double.random(in: 0...6.28, using: &rng), distance: Double.random(in: 1...2_000_000, using: &rng))
            let b = Sphere.destination(c, bearing: Double.random(in: 0...6.28, using: &rng), distance: Double.random(in: 1...2_000_000, using: &rng))
            let g = try #require(Gnomonic(around: [a, b, c]))
            for p in [a, b, c] {
                let (x, y) = g.project(p)
                let back = g.unproject(x, y)
                #expect(Sphere.distance(back, p) < 1e-6, "round trip of \(p)")
            }
            let (ax, ay) = g.project(a), (bx, by) = g.project(b)
            let m = Sphere.point(Sphere.interpolate(Sphere.vec(a), Sphere.vec(b), Double.random(in: 0...1, using: &rng)))
            let (mx, my) = g.project(m)
            // Distance of the midpoint's image from the line through a and b, relative to the segment.
            let len = ((bx - ax) * (bx - ax) + (by - ay) * (by - ay)).squareRoot()
            guard len > 1 else { continue }
            let off = abs((bx - ax) * (my - ay) - (by - ay) * (mx - ax)) / len
            #expect(off < 1e-6 * max(1, len), "a geodesic's point off its chord by \(off) of \(len)")
        }
    }

    @Test func shapesBeyondAHemisphereAreRefused() {
        #expect(Gnomonic(around: [Sphere.Point(lon: 0, lat: 0), Sphere.Point(lon: 179, lat: 0)]) == nil)
        let wide = GeoShape.polygon([[Sphere.Point(lon: 0, lat: 0), Sphere.Point(lon: 1, lat: 0), Sphere.Point(lon: 1, lat: 1)]])
        #expect(GeoOverlay.buffer(wide, radius: 9_000_000, tolerance: 10) == nil)
        #expect(GeoOverlay.buffer(wide, radius: 1_000, tolerance: 10) != nil)
    }
}
