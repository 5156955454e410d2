import Foundation

/// Uber's H3 grid: aperture-7 hexagons (and 12 pentagons) on the faces of an icosahedron, each face
/// a gnomonic projection, Class II grids at even resolutions and Class III grids (rotated by
/// asin(√(3/28))) at odd ones. A cell is a 64-bit index: mode 1, resolution, one of 122 base cells
/// and a base-7 digit per resolution. The algorithms follow H3's published definition; the tables
/// (H3Tables.swift) are derived from the grid itself by scripts/h3/derive_tables.py.
enum H3 {
    struct IJK: Equatable, Hashable {
        var i: Int, j: Int, k: Int
        init(_ i: Int, _ j: Int, _ k: Int) { (self.i, self.j, self.k) = (i, j, k) }
    }

    struct FaceIJK { var face: Int; var ijk: IJK }
    struct FaceOrientation { let face: Int; let translate: IJK; let ccwRot60: Int }
    struct BaseCell { let face: Int; let ijk: IJK; let isPentagon: Bool }

    static let maxResolution = 15
    static let res0UGnomonic = 0.38196601125010500003
    static let ap7Rotation = asin((3.0 / 28.0).squareRoot())
    static let sqrt7 = 7.0.squareRoot()
    static let sin60 = 3.0.squareRoot() / 2

    static func isClassIII(_ res: Int) -> Bool { res & 1 == 1 }

    // MARK: index bits

    static func resolution(_ h: UInt64) -> Int { Int((h >> 52) & 15) }
    static func baseCell(_ h: UInt64) -> Int { Int((h >> 45) & 127) }
    static func digit(_ h: UInt64, _ r: Int) -> Int { Int((h >> UInt64((15 - r) * 3)) & 7) }

    static func setDigit(_ h: inout UInt64, _ r: Int, _ d: Int) {
        let shift = UInt64((15 - r) * 3)
        h = (h & ~(UInt64(7) << shift)) | (UInt64(d) << shift)
    }

    static func withResolution(_ h: UInt64, _ res: Int) -> UInt64 { (h & ~(UInt64(15) << 52)) | (UInt64(res) << 52) }

    static func leadingNonZeroDigit(_ h: UInt64) -> Int {
        for r in stride(from: 1, through: resolution(h), by: 1) where digit(h, r) != 0 { return digit(h, r) }
        return 0
    }

    static func isPentagon(_ h: UInt64) -> Bool { baseCells[baseCell(h)].isPentagon && leadingNonZeroDigit(h) == 0 }

    /// A valid cell index: mode 1, nothing in the reserved bits, a known base cell, digits 0-6 up to the
    /// resolution and 7 after it, and no digit sequence a pentagon deletes.
    static func isValid(_ h: UInt64) -> Bool {
        guard h >> 63 == 0, (h >> 59) & 15 == 1, (h >> 56) & 7 == 0 else { return false }
        let res = resolution(h), bc = baseCell(h)
        guard bc < 122 else { return false }
        var leading = 0
        for r in stride(from: 1, through: 15, by: 1) {
            let d = digit(h, r)
            if r <= res {
                if d == 7 { return false }
                if leading == 0 && d != 0 {
                    leading = d
                    if baseCells[bc].isPentagon && d == 1 { return false }
                }
            } else if d != 7 {
                return false
            }
        }
        return true
    }

    static func index(token: String) -> UInt64? {
        guard !token.isEmpty, token.utf8.count <= 16, let h = UInt64(token, radix: 16), isValid(h) else { return nil }
        return h
    }

    static func token(_ h: UInt64) -> String { String(h, radix: 16) }

    static func make(res: Int, baseCell: Int) -> UInt64 {
        var h = (UInt64(1) << 59) | (UInt64(res) << 52) | (UInt64(baseCell) << 45)
        h |= (UInt64(1) << UInt64(3 * (15 - res))) - 1
        return h
    }

    // MARK: hierarchy

    static func parent(_ h: UInt64, res: Int) -> UInt64? {
        let own = resolution(h)
        guard (0...own).contains(res) else { return nil }
        var p = withResolution(h, res)
        for r in stride(from: res + 1, through: own, by: 1) { setDigit(&p, r, 7) }
        return p
    }

    /// The children at `res` in H3's order (digits ascending), without the pentagon's deleted ones.
    static func children(_ h: UInt64, res: Int) -> [UInt64] {
        let own = resolution(h)
        guard res >= own, res <= maxResolution else { return [] }
        var out = [h]
        for r in stride(from: own + 1, through: res, by: 1) {
            var next: [UInt64] = []
            next.reserveCapacity(out.count * 7)
            for c in out {
                let pentagon = isPentagon(c)
                for d in 0..<7 where !(pentagon && d == 1) {
                    var child = withResolution(c, r)
                    setDigit(&child, r, d)
                    next.append(child)
                }
            }
            out = next
        }
        return out
    }
}
