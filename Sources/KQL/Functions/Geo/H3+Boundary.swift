import Foundation

/// A cell's boundary, counter-clockwise, as H3 draws it: the six (five) vertices on the aperture-3
/// substrate grid, plus a vertex wherever a Class III edge crosses an icosahedron edge (each face is
/// its own projection, so the edge bends there).
extension H3 {
    private static let hexVertsII = [IJK(2, 1, 0), IJK(1, 2, 0), IJK(0, 2, 1), IJK(0, 1, 2), IJK(1, 0, 2), IJK(2, 0, 1)]
    private static let hexVertsIII = [IJK(5, 4, 0), IJK(1, 5, 0), IJK(0, 5, 4), IJK(0, 1, 5), IJK(4, 0, 5), IJK(5, 0, 1)]

    /// Vertices of the cell centred at `fijk`, on the substrate grid of the next Class II resolution.
    private static func vertices(_ fijk: FaceIJK, res: inout Int, count: Int) -> [FaceIJK] {
        let verts = isClassIII(res) ? hexVertsIII : hexVertsII
        var c = fijk.ijk.down3.down3r
        if isClassIII(res) {
            c = c.down7r
            res += 1
        }
        return verts.prefix(count).map { FaceIJK(face: fijk.face, ijk: (c + $0).normalized) }
    }

    private static func intersect(_ p0: (x: Double, y: Double), _ p1: (x: Double, y: Double), _ p2: (x: Double, y: Double), _ p3: (x: Double, y: Double)) -> (x: Double, y: Double) {
        let s1 = (x: p1.x - p0.x, y: p1.y - p0.y), s2 = (x: p3.x - p2.x, y: p3.y - p2.y)
        let t = (s2.x * (p0.y - p2.y) - s2.y * (p0.x - p2.x)) / (-s2.x * s1.y + s1.x * s2.y)
        return (p0.x + t * s1.x, p0.y + t * s1.y)
    }

    /// The two corners of the face triangle (on the substrate grid) bounding the edge toward `dir`.
    private static func faceEdge(_ dir: Int8, maxDim: Int) -> ((x: Double, y: Double), (x: Double, y: Double)) {
        let m = Double(maxDim)
        let v0 = (x: 3 * m, y: 0.0), v1 = (x: -1.5 * m, y: 3 * sin60 * m), v2 = (x: -1.5 * m, y: -3 * sin60 * m)
        switch dir {
        case 1: return (v0, v1)
        case 3: return (v1, v2)
        default: return (v2, v0)
        }
    }

    private static func near(_ a: (x: Double, y: Double), _ b: (x: Double, y: Double)) -> Bool {
        abs(a.x - b.x) < Double(Float.ulpOfOne) && abs(a.y - b.y) < Double(Float.ulpOfOne)
    }

    /// The boundary of a cell, radians, counter-clockwise, not closed.
    static func boundary(_ h: UInt64) -> [(lat: Double, lng: Double)] {
        let res = resolution(h)
        let center = faceIJK(h)
        var adjRes = res
        var out: [(lat: Double, lng: Double)] = []
        if isPentagon(h) {
            let verts = vertices(center, res: &adjRes, count: 5)
            var last = center
            for vert in 0...5 {
                var fijk = verts[vert % 5]
                while adjustOverage(&fijk, res: adjRes, pentagonLeading4: false, substrate: true) == .newFace {}
                if isClassIII(res) && vert > 0 {
                    // every Class III pentagon edge crosses an icosahedron edge
                    var tmp = fijk
                    let orig0 = last.ijk.hex2d
                    let toLast = Int(adjacentFaceDir[tmp.face][last.face])
                    let orient = faceNeighbors[tmp.face][max(0, toLast)]
                    tmp.face = orient.face
                    for _ in 0..<orient.ccwRot60 { tmp.ijk = tmp.ijk.rotated60ccw }
                    tmp.ijk = (tmp.ijk + orient.translate * (unitScale(classII: adjRes) * 3)).normalized
                    let orig1 = tmp.ijk.hex2d
                    let (e0, e1) = faceEdge(adjacentFaceDir[tmp.face][fijk.face], maxDim: maxDim(classII: adjRes))
                    let p = intersect(orig0, orig1, e0, e1)
                    out.append(hex2dToGeo(p.x, p.y, face: tmp.face, res: adjRes, substrate: true))
                }
                if vert < 5 {
                    let p = fijk.ijk.hex2d
                    out.append(hex2dToGeo(p.x, p.y, face: fijk.face, res: adjRes, substrate: true))
                }
                last = fijk
            }
            return out
        }
        let verts = vertices(center, res: &adjRes, count: 6)
        var lastFace = -1
        var lastOverage = Overage.none
        for vert in 0...6 {
            let v = vert % 6
            var fijk = verts[v]
            let overage = adjustOverage(&fijk, res: adjRes, pentagonLeading4: false, substrate: true)
            if isClassIII(res) && vert > 0 && fijk.face != lastFace && lastOverage != .faceEdge {
                let orig0 = verts[(v + 5) % 6].ijk.hex2d, orig1 = verts[v].ijk.hex2d
                let face2 = lastFace == center.face ? fijk.face : lastFace
                let (e0, e1) = faceEdge(adjacentFaceDir[center.face][face2], maxDim: maxDim(classII: adjRes))
                let p = intersect(orig0, orig1, e0, e1)
                if !near(orig0, p) && !near(orig1, p) {
                    out.append(hex2dToGeo(p.x, p.y, face: center.face, res: adjRes, substrate: true))
                }
            }
            if vert < 6 {
                let p = fijk.ijk.hex2d
                out.append(hex2dToGeo(p.x, p.y, face: fijk.face, res: adjRes, substrate: true))
            }
            lastFace = fijk.face
            lastOverage = overage
        }
        return out
    }
}
