import Foundation

/// S2 cells, from the published S2 geometry: the cube face, the quadratic (s,t) projection, the
/// Hilbert curve order of the cells within a face, and tokens (the cell id in hex, trailing zeros cut).
enum S2Cell {
    static let maxLevel = 30
    static let lookupBits = 4
    static let swapMask = 1, invertMask = 2
    static let posToIJ = [[0, 1, 3, 2], [0, 2, 3, 1], [3, 2, 0, 1], [3, 1, 0, 2]]
    static let posToOrientation = [swapMask, 0, 0, invertMask | swapMask]

    static let tables: (pos: [Int], ij: [Int]) = {
        var lookupPos = [Int](repeating: 0, count: 1 << (2 * lookupBits + 2))
        var lookupIJ = [Int](repeating: 0, count: 1 << (2 * lookupBits + 2))
        func initCell(_ level: Int, _ i: Int, _ j: Int, _ origOrientation: Int, _ pos: Int, _ orientation: Int) {
            if level == lookupBits {
                let ij = (i << lookupBits) + j
                lookupPos[(ij << 2) + origOrientation] = (pos << 2) + orientation
                lookupIJ[(pos << 2) + origOrientation] = (ij << 2) + orientation
                return
            }
            let r = posToIJ[orientation]
            for k in 0..<4 {
                initCell(level + 1, (i << 1) + (r[k] >> 1), (j << 1) + (r[k] & 1), origOrientation, (pos << 2) + k, orientation ^ posToOrientation[k])
            }
        }
        for o in 0..<4 { initCell(0, 0, 0, o, 0, o) }
        return (lookupPos, lookupIJ)
    }()

    static func faceUV(_ p: Sphere.V3) -> (Int, Double, Double) {
        let ax = abs(p.x), ay = abs(p.y), az = abs(p.z)
        var face = ax > ay ? (ax > az ? 0 : 2) : (ay > az ? 1 : 2)
        let comp = face == 0 ? p.x : (face == 1 ? p.y : p.z)
        if comp < 0 { face += 3 }
        switch face {
        case 0: return (0, p.y / p.x, p.z / p.x)
        case 1: return (1, -p.x / p.y, p.z / p.y)
        case 2: return (2, -p.x / p.z, -p.y / p.z)
        case 3: return (3, p.z / p.x, p.y / p.x)
        case 4: return (4, p.z / p.y, -p.x / p.y)
        default: return (5, -p.y / p.z, -p.x / p.z)
        }
    }

    static func faceUVtoXYZ(_ face: Int, _ u: Double, _ v: Double) -> Sphere.V3 {
        switch face {
        case 0: return Sphere.V3(x: 1, y: u, z: v)
        case 1: return Sphere.V3(x: -u, y: 1, z: v)
        case 2: return Sphere.V3(x: -u, y: -v, z: 1)
        case 3: return Sphere.V3(x: -1, y: -v, z: -u)
        case 4: return Sphere.V3(x: v, y: -1, z: -u)
        default: return Sphere.V3(x: v, y: u, z: -1)
        }
    }

    static func uvToST(_ u: Double) -> Double { u >= 0 ? 0.5 * (1 + 3 * u).squareRoot() : 1 - 0.5 * (1 - 3 * u).squareRoot() }
    static func stToUV(_ s: Double) -> Double { s >= 0.5 ? (1.0 / 3) * (4 * s * s - 1) : (1.0 / 3) * (1 - 4 * (1 - s) * (1 - s)) }

    static func stToIJ(_ s: Double) -> Int { max(0, min((1 << maxLevel) - 1, intIfFinite((Double(1 << maxLevel) * s).rounded(.down)) ?? 0)) }

    static func fromFaceIJ(_ face: Int, _ i: Int, _ j: Int) -> UInt64 {
        var n = UInt64(face) << 60
        var bits = face & swapMask
        let mask = (1 << lookupBits) - 1
        for k in stride(from: 7, through: 0, by: -1) {
            bits += ((i >> (k * lookupBits)) & mask) << (lookupBits + 2)
            bits += ((j >> (k * lookupBits)) & mask) << 2
            bits = tables.pos[bits]
            n |= UInt64(bits >> 2) << UInt64(k * 2 * lookupBits)
            bits &= swapMask | invertMask
        }
        return n * 2 + 1
    }

    static func toFaceIJ(_ id: UInt64) -> (face: Int, i: Int, j: Int) {
        let face = Int(id >> 61)
        var bits = face & swapMask
        var i = 0, j = 0
        for k in stride(from: 7, through: 0, by: -1) {
            let nbits = k == 7 ? (maxLevel - 7 * lookupBits) : lookupBits
            bits += Int((id >> UInt64(k * 2 * lookupBits + 1)) & UInt64((1 << (2 * nbits)) - 1)) << 2
            bits = tables.ij[bits]
            i += (bits >> (lookupBits + 2)) << (k * lookupBits)
            j += ((bits >> 2) & ((1 << lookupBits) - 1)) << (k * lookupBits)
            bits &= swapMask | invertMask
        }
        return (face, i, j)
    }

    static func lsb(level: Int) -> UInt64 { UInt64(1) << UInt64(2 * (maxLevel - level)) }

    static func parent(_ leaf: UInt64, level: Int) -> UInt64 {
        let l = lsb(level: level)
        return (leaf & (0 &- l)) | l
    }

    static func level(_ id: UInt64) -> Int? {
        guard id != 0, id >> 61 < 6 else { return nil }
        return maxLevel - id.trailingZeroBitCount / 2
    }

    static func cell(_ p: Sphere.Point, level: Int) -> UInt64 {
        let (face, u, v) = faceUV(Sphere.vec(p))
        return parent(fromFaceIJ(face, stToIJ(uvToST(u)), stToIJ(uvToST(v))), level: level)
    }

    static func token(_ id: UInt64) -> String {
        var h = String(id, radix: 16)
        h = String(repeating: "0", count: 16 - h.count) + h
        while h.hasSuffix("0") { h.removeLast() }
        return h.isEmpty ? "X" : h
    }

    static func id(token: String) -> UInt64? {
        guard !token.isEmpty, token.count <= 16, let v = UInt64(token + String(repeating: "0", count: 16 - token.count), radix: 16), level(v) != nil else { return nil }
        return v
    }

    /// The cell's (face, i, j) of its lower-left leaf and its size in leaf cells.
    static func bounds(_ id: UInt64) -> (face: Int, i: Int, j: Int, size: Int)? {
        guard let l = level(id) else { return nil }
        let (face, i, j) = toFaceIJ(id)
        let size = 1 << (maxLevel - l)
        return (face, i & ~(size - 1), j & ~(size - 1), size)
    }

    static func point(face: Int, si: Double, ti: Double) -> Sphere.Point {
        let s = si / Double(1 << maxLevel), t = ti / Double(1 << maxLevel)
        return Sphere.point(faceUVtoXYZ(face, stToUV(s), stToUV(t)))
    }

    static func center(_ id: UInt64) -> Sphere.Point? {
        guard let b = bounds(id) else { return nil }
        return point(face: b.face, si: Double(b.i) + Double(b.size) / 2, ti: Double(b.j) + Double(b.size) / 2)
    }

    static func vertices(_ id: UInt64) -> [Sphere.Point]? {
        guard let b = bounds(id) else { return nil }
        let i0 = Double(b.i), j0 = Double(b.j), s = Double(b.size)
        return [(i0, j0), (i0 + s, j0), (i0 + s, j0 + s), (i0, j0 + s)].map { point(face: b.face, si: $0.0, ti: $0.1) }
    }

    /// The cells around this one at its level: across edges and corners, over cube faces too.
    static func neighbors(_ id: UInt64) -> [UInt64]? {
        guard let b = bounds(id), let l = level(id) else { return nil }
        var out: [UInt64] = []
        for (di, dj) in [(-1, -1), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)] {
            let si = Double(b.i) + Double(b.size) * (Double(di) + 0.5), ti = Double(b.j) + Double(b.size) * (Double(dj) + 0.5)
            // Beyond the face, the (s,t) plane extends onto the neighbouring face through the sphere.
            let p = faceUVtoXYZ(b.face, stToUV(si / Double(1 << maxLevel)), stToUV(ti / Double(1 << maxLevel)))
            let (f, u, v) = faceUV(p.unit)
            let n = parent(fromFaceIJ(f, stToIJ(uvToST(u)), stToIJ(uvToST(v))), level: l)
            if n != id && !out.contains(n) { out.append(n) }
        }
        return out
    }
}
