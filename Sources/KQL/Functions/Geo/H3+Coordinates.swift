import Foundation

/// H3's coordinate systems: ijk coordinates on a face's hexagon grid (three axes 120° apart, one
/// of them redundant, kept normalized with a zero), the face's plane ("hex2d") and the sphere.
extension H3.IJK {
    static let zero = H3.IJK(0, 0, 0)
    /// The unit vector of each digit: 0 centre, 1 k, 2 j, 3 jk, 4 i, 5 ik, 6 ij.
    static let units = [H3.IJK(0, 0, 0), H3.IJK(0, 0, 1), H3.IJK(0, 1, 0), H3.IJK(0, 1, 1), H3.IJK(1, 0, 0), H3.IJK(1, 0, 1), H3.IJK(1, 1, 0)]

    static func + (a: H3.IJK, b: H3.IJK) -> H3.IJK { H3.IJK(a.i + b.i, a.j + b.j, a.k + b.k) }
    static func - (a: H3.IJK, b: H3.IJK) -> H3.IJK { H3.IJK(a.i - b.i, a.j - b.j, a.k - b.k) }
    static func * (a: H3.IJK, s: Int) -> H3.IJK { H3.IJK(a.i * s, a.j * s, a.k * s) }

    var normalized: H3.IJK {
        var (i, j, k) = (self.i, self.j, self.k)
        if i < 0 { j -= i; k -= i; i = 0 }
        if j < 0 { i -= j; k -= j; j = 0 }
        if k < 0 { i -= k; j -= k; k = 0 }
        let m = Swift.min(i, j, k)
        return H3.IJK(i - m, j - m, k - m)
    }

    private func combine(_ iv: H3.IJK, _ jv: H3.IJK, _ kv: H3.IJK) -> H3.IJK { (iv * i + jv * j + kv * k).normalized }

    /// One resolution finer, Class II to Class III (counter-clockwise) and back (clockwise).
    var down7: H3.IJK { combine(.init(3, 0, 1), .init(1, 3, 0), .init(0, 1, 3)) }
    var down7r: H3.IJK { combine(.init(3, 1, 0), .init(0, 3, 1), .init(1, 0, 3)) }
    /// The aperture-3 substrate grids on which cell vertices are lattice points.
    var down3: H3.IJK { combine(.init(2, 0, 1), .init(1, 2, 0), .init(0, 1, 2)) }
    var down3r: H3.IJK { combine(.init(2, 1, 0), .init(0, 2, 1), .init(1, 0, 2)) }
    var rotated60ccw: H3.IJK { combine(.init(1, 1, 0), .init(0, 1, 1), .init(1, 0, 1)) }
    var rotated60cw: H3.IJK { combine(.init(1, 0, 1), .init(1, 1, 0), .init(0, 1, 1)) }

    /// One resolution coarser: the parent's coordinates (lround, halves away from zero, as H3 does).
    var up7: H3.IJK {
        let a = Double(i - k), b = Double(j - k)
        return H3.IJK(Int(((3 * a - b) / 7).rounded()), Int(((a + 2 * b) / 7).rounded()), 0).normalized
    }

    var up7r: H3.IJK {
        let a = Double(i - k), b = Double(j - k)
        return H3.IJK(Int(((2 * a + b) / 7).rounded()), Int(((3 * b - a) / 7).rounded()), 0).normalized
    }

    var hex2d: (x: Double, y: Double) {
        let a = Double(i - k), b = Double(j - k)
        return (a - 0.5 * b, b * H3.sin60)
    }

    /// The hexagon whose centre is nearest a point of the plane: one of the four corners of the
    /// lattice parallelogram the point falls in (the triangle lattice is Delaunay).
    init(hex2d x: Double, _ y: Double) {
        let b = y / H3.sin60, a = x + 0.5 * b
        let fa = a.rounded(.down), fb = b.rounded(.down)
        var best = (d: Double.infinity, i: 0.0, j: 0.0)
        for (ci, cj) in [(fa, fb), (fa + 1, fb), (fa, fb + 1), (fa + 1, fb + 1)] {
            let dx = ci - 0.5 * cj - x, dy = cj * H3.sin60 - y
            let d = dx * dx + dy * dy
            if d < best.d { best = (d, ci, cj) }
        }
        self = H3.IJK(Int(best.i), Int(best.j), 0).normalized
    }
}

extension H3 {
    static func rotate60ccw(_ d: Int) -> Int { [0, 5, 3, 1, 6, 4, 2][d] }
    static func rotate60cw(_ d: Int) -> Int { [0, 3, 6, 2, 5, 1, 4][d] }

    static func rotateIndex60ccw(_ h: UInt64) -> UInt64 {
        var out = h
        for r in stride(from: 1, through: resolution(h), by: 1) { setDigit(&out, r, rotate60ccw(digit(h, r))) }
        return out
    }

    static func rotateIndex60cw(_ h: UInt64) -> UInt64 {
        var out = h
        for r in stride(from: 1, through: resolution(h), by: 1) { setDigit(&out, r, rotate60cw(digit(h, r))) }
        return out
    }

    /// A pentagon's rotation steps over its deleted k subsequence.
    static func rotatePentagon60ccw(_ h: UInt64) -> UInt64 {
        var out = h, found = false
        for r in stride(from: 1, through: resolution(h), by: 1) {
            setDigit(&out, r, rotate60ccw(digit(out, r)))
            if !found && digit(out, r) != 0 {
                found = true
                if leadingNonZeroDigit(out) == 1 { out = rotateIndex60ccw(out) }
            }
        }
        return out
    }

    // MARK: sphere <-> face plane

    static func vec(_ lat: Double, _ lng: Double) -> (Double, Double, Double) { (cos(lat) * cos(lng), cos(lat) * sin(lng), sin(lat)) }
    static let faceVectors = faceCenters.map { vec($0.lat, $0.lng) }

    static func positiveAngle(_ a: Double) -> Double {
        let t = fmod(a, 2 * .pi)
        return t < 0 ? t + 2 * .pi : t
    }

    static func azimuth(_ lat1: Double, _ lng1: Double, _ lat2: Double, _ lng2: Double) -> Double {
        atan2(cos(lat2) * sin(lng2 - lng1), cos(lat1) * sin(lat2) - sin(lat1) * cos(lat2) * cos(lng2 - lng1))
    }

    /// The point at an azimuth and angular distance from a start point.
    static func destination(_ lat1: Double, _ lng1: Double, azimuth az0: Double, distance: Double) -> (lat: Double, lng: Double) {
        if distance < 1e-16 { return (lat1, lng1) }
        let az = positiveAngle(az0)
        let sinLat = max(-1, min(1, sin(lat1) * cos(distance) + cos(lat1) * sin(distance) * cos(az)))
        let lat2 = asin(sinLat)
        if abs(lat2 - .pi / 2) < 1e-16 { return (.pi / 2, 0) }
        if abs(lat2 + .pi / 2) < 1e-16 { return (-.pi / 2, 0) }
        let sinLng = max(-1, min(1, sin(az) * sin(distance) / cos(lat2)))
        let cosLng = max(-1, min(1, (cos(distance) - sin(lat1) * sin(lat2)) / cos(lat1) / cos(lat2)))
        var lng2 = lng1 + atan2(sinLng, cosLng)
        while lng2 > .pi { lng2 -= 2 * .pi }
        while lng2 < -.pi { lng2 += 2 * .pi }
        return (lat2, lng2)
    }

    static func geoToHex2d(_ lat: Double, _ lng: Double, res: Int) -> (face: Int, x: Double, y: Double) {
        let v = vec(lat, lng)
        var face = 0, sqd = Double.infinity
        for (f, c) in faceVectors.enumerated() {
            let d = (c.0 - v.0) * (c.0 - v.0) + (c.1 - v.1) * (c.1 - v.1) + (c.2 - v.2) * (c.2 - v.2)
            if d < sqd { (face, sqd) = (f, d) }
        }
        var r = acos(max(-1, min(1, 1 - sqd / 2)))
        if r < 1e-16 { return (face, 0, 0) }
        var theta = positiveAngle(faceAxes[face] - positiveAngle(azimuth(faceCenters[face].lat, faceCenters[face].lng, lat, lng)))
        if isClassIII(res) { theta = positiveAngle(theta - ap7Rotation) }
        r = tan(r) / res0UGnomonic
        for _ in 0..<res { r *= sqrt7 }
        return (face, r * cos(theta), r * sin(theta))
    }

    static func hex2dToGeo(_ x: Double, _ y: Double, face: Int, res: Int, substrate: Bool) -> (lat: Double, lng: Double) {
        var r = (x * x + y * y).squareRoot()
        if r < 1e-16 { return faceCenters[face] }
        var theta = atan2(y, x)
        for _ in 0..<res { r /= sqrt7 }
        r *= res0UGnomonic
        if substrate {
            r /= 3
            if isClassIII(res) { r /= sqrt7 }
        }
        r = atan(r)
        if !substrate && isClassIII(res) { theta = positiveAngle(theta + ap7Rotation) }
        theta = positiveAngle(faceAxes[face] - theta)
        return destination(faceCenters[face].lat, faceCenters[face].lng, azimuth: theta, distance: r)
    }

    // MARK: sphere -> cell

    /// The cell of a point (radians) at a resolution.
    static func cell(lat: Double, lng: Double, res: Int) -> UInt64? {
        guard lat.isFinite, lng.isFinite, (0...maxResolution).contains(res) else { return nil }
        let p = geoToHex2d(lat, lng, res: res)
        return index(FaceIJK(face: p.face, ijk: IJK(hex2d: p.x, p.y)), res: res)
    }

    static func index(_ fijk: FaceIJK, res: Int) -> UInt64? {
        var h = make(res: res, baseCell: 0)
        var ijk = fijk.ijk
        for r in stride(from: res - 1, through: 0, by: -1) {
            let last = ijk
            let center: IJK
            if isClassIII(r + 1) {
                ijk = ijk.up7
                center = ijk.down7
            } else {
                ijk = ijk.up7r
                center = ijk.down7r
            }
            guard let d = IJK.units.firstIndex(of: (last - center).normalized) else { return nil }
            setDigit(&h, r + 1, d)
        }
        guard ijk.i <= 2, ijk.j <= 2, ijk.k <= 2 else { return nil }
        let entry = faceIjkBaseCells[fijk.face][ijk.i * 9 + ijk.j * 3 + ijk.k]
        let bc = Int(entry.baseCell)
        h = (h & ~(UInt64(127) << 45)) | (UInt64(bc) << 45)
        if baseCells[bc].isPentagon {
            if leadingNonZeroDigit(h) == 1 {
                h = pentagonCwOffsetFaces[bc, default: []].contains(fijk.face) ? rotateIndex60cw(h) : rotateIndex60ccw(h)
            }
            for _ in 0..<Int(entry.ccwRot60) { h = rotatePentagon60ccw(h) }
        } else {
            for _ in 0..<Int(entry.ccwRot60) { h = rotateIndex60ccw(h) }
        }
        return h
    }

    // MARK: cell -> face coordinates

    enum Overage { case none, faceEdge, newFace }

    static func maxDim(classII res: Int) -> Int { 2 * unitScale(classII: res) }
    static func unitScale(classII res: Int) -> Int {
        var s = 1
        for _ in 0..<(res / 2) { s *= 7 }
        return s
    }

    /// Moves coordinates that ran off their face onto the neighbouring face (Class II grids only).
    static func adjustOverage(_ fijk: inout FaceIJK, res: Int, pentagonLeading4: Bool, substrate: Bool) -> Overage {
        var dim = maxDim(classII: res)
        if substrate { dim *= 3 }
        let sum = fijk.ijk.i + fijk.ijk.j + fijk.ijk.k
        if substrate && sum == dim { return .faceEdge }
        guard sum > dim else { return .none }
        let orient: FaceOrientation
        if fijk.ijk.k > 0 {
            if fijk.ijk.j > 0 {
                orient = faceNeighbors[fijk.face][3]
            } else {
                orient = faceNeighbors[fijk.face][2]
                if pentagonLeading4 {
                    let origin = IJK(dim, 0, 0)
                    fijk.ijk = ((fijk.ijk - origin).normalized.rotated60cw + origin).normalized
                }
            }
        } else {
            orient = faceNeighbors[fijk.face][1]
        }
        fijk.face = orient.face
        for _ in 0..<orient.ccwRot60 { fijk.ijk = fijk.ijk.rotated60ccw }
        var scale = unitScale(classII: res)
        if substrate { scale *= 3 }
        fijk.ijk = (fijk.ijk + orient.translate * scale).normalized
        if substrate && fijk.ijk.i + fijk.ijk.j + fijk.ijk.k == dim { return .faceEdge }
        return .newFace
    }

    /// The cell's coordinates in its base cell's home frame, digits applied, before any overage.
    static func homeCoordinates(_ h: UInt64) -> FaceIJK {
        let bc = baseCells[baseCell(h)]
        var ijk = bc.ijk
        for r in stride(from: 1, through: resolution(h), by: 1) {
            ijk = isClassIII(r) ? ijk.down7 : ijk.down7r
            ijk = (ijk + IJK.units[digit(h, r)]).normalized
        }
        return FaceIJK(face: bc.face, ijk: ijk)
    }

    /// The face and coordinates of the cell's centre, on the face the centre lies on.
    static func faceIJK(_ cell: UInt64) -> FaceIJK {
        var h = cell
        let bc = baseCell(h)
        if baseCells[bc].isPentagon && leadingNonZeroDigit(h) == 5 { h = rotateIndex60cw(h) }
        var fijk = homeCoordinates(h)
        let own = resolution(h)
        if !baseCells[bc].isPentagon && (own == 0 || baseCells[bc].ijk == .zero) { return fijk }
        let original = fijk.ijk
        var res = own
        if isClassIII(res) {
            fijk.ijk = fijk.ijk.down7r
            res += 1
        }
        let leading4 = baseCells[bc].isPentagon && leadingNonZeroDigit(h) == 4
        if adjustOverage(&fijk, res: res, pentagonLeading4: leading4, substrate: false) != .none {
            if baseCells[bc].isPentagon {
                while adjustOverage(&fijk, res: res, pentagonLeading4: false, substrate: false) != .none {}
            }
            if res != own { fijk.ijk = fijk.ijk.up7r }
        } else if res != own {
            fijk.ijk = original
        }
        return fijk
    }

    /// The centre of a cell, radians.
    static func center(_ h: UInt64) -> (lat: Double, lng: Double) {
        let f = faceIJK(h)
        let p = f.ijk.hex2d
        return hex2dToGeo(p.x, p.y, face: f.face, res: resolution(h), substrate: false)
    }
}
