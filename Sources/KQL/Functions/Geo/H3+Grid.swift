import Foundation

/// Neighbours and rings as H3 walks them: a step changes the finest digit and carries into coarser
/// ones (base-7 addition), crossing into a neighbouring base cell with its frame's rotation, and
/// stepping around a pentagon's deleted k direction. Rings spiral out from the cell; when the
/// spiral meets a pentagon, H3 walks every path instead and lists the cells in the order of its
/// hash table (slot = index modulo the disk's size, linear probing): Vigil does the same, so the
/// order within each ring is H3's (and Kusto's) everywhere.
extension H3 {
    /// The ring walk's sides: j, jk, k, ik, i, ij; each ring starts along i.
    private static let ringDirections = [2, 3, 1, 5, 4, 6]
    private static let polarPentagons: Set<Int> = [4, 117]

    private static func rotateDigits(_ h: UInt64, _ n: Int, ccw: Bool) -> UInt64 {
        var out = h
        for _ in 0..<n { out = ccw ? rotateIndex60ccw(out) : rotateIndex60cw(out) }
        return out
    }

    /// The neighbour of `origin` in direction `dir` (rotated by `rotations`, which the step updates
    /// with the frame changes it crosses), or nil where the direction is a pentagon's deleted one.
    static func neighbor(_ origin: UInt64, direction dir0: Int, rotations: inout Int) -> UInt64? {
        var current = origin
        var dir = dir0
        for _ in 0..<rotations { dir = rotate60ccw(dir) }
        var newRotations = 0
        let oldBaseCell = baseCell(current)
        let oldLeading = leadingNonZeroDigit(current)
        var r = resolution(current) - 1
        while true {
            if r == -1 {
                var next = Int(baseCellNeighbors[oldBaseCell][dir])
                newRotations = Int(baseCellNeighborRotations[oldBaseCell][dir])
                if next == 127 {
                    // the deleted k direction of a pentagon base cell: that edge borders the ik neighbour
                    next = Int(baseCellNeighbors[oldBaseCell][5])
                    newRotations = Int(baseCellNeighborRotations[oldBaseCell][5])
                    current = rotateIndex60ccw(current)
                    rotations += 1
                }
                current = (current & ~(UInt64(127) << 45)) | (UInt64(next) << 45)
                break
            }
            let old = digit(current, r + 1)
            guard old != 7 else { return nil }
            let classIII = isClassIII(r + 1)
            setDigit(&current, r + 1, classIII ? carryDigitClassIII[old][dir] : carryDigitClassII[old][dir])
            let carry = classIII ? carryAdjustClassIII[old][dir] : carryAdjustClassII[old][dir]
            if carry == 0 { break }
            dir = carry
            r -= 1
        }
        let newBaseCell = baseCell(current)
        if baseCells[newBaseCell].isPentagon {
            var adjustedK = false
            if leadingNonZeroDigit(current) == 1 {
                if oldBaseCell != newBaseCell {
                    let cw = pentagonCwOffsetFaces[newBaseCell, default: []].contains(baseCells[oldBaseCell].face)
                    current = rotateDigits(current, 1, ccw: !cw)
                    adjustedK = true
                } else {
                    switch oldLeading {
                    case 3: current = rotateIndex60ccw(current); rotations += 1
                    case 5: current = rotateIndex60cw(current); rotations += 5
                    default: return nil
                    }
                }
            }
            for _ in 0..<newRotations { current = rotatePentagon60ccw(current) }
            if oldBaseCell != newBaseCell {
                if polarPentagons.contains(newBaseCell) {
                    // the polar pentagons have i neighbours all round
                    if oldBaseCell != 118 && oldBaseCell != 8 && leadingNonZeroDigit(current) != 3 { rotations += 1 }
                } else if leadingNonZeroDigit(current) == 5 && !adjustedK {
                    rotations += 1
                }
            }
        } else {
            current = rotateDigits(current, newRotations, ccw: true)
        }
        rotations = (rotations + newRotations) % 6
        return current
    }

    /// Rings 0...k around a cell (ring 0 is the cell), or nil for a negative distance.
    static func rings(_ h: UInt64, k: Int) -> [[UInt64]]? {
        guard k >= 0 else { return nil }
        var out = Array(repeating: [UInt64](), count: k + 1)
        for (cell, d) in spiral(h, k: k) ?? hashedDisk(h, k: k) { out[d].append(cell) }
        return out
    }

    private static func spiral(_ start: UInt64, k: Int) -> [(UInt64, Int)]? {
        var out = [(start, 0)]
        if isPentagon(start) { return nil }
        var origin = start, rotations = 0
        var ring = 1, side = 0, i = 0
        while ring <= k {
            if side == 0 && i == 0 {
                guard let next = neighbor(origin, direction: 4, rotations: &rotations), !isPentagon(next) else { return nil }
                origin = next
            }
            guard let next = neighbor(origin, direction: ringDirections[side], rotations: &rotations) else { return nil }
            origin = next
            out.append((origin, ring))
            i += 1
            if i == ring {
                i = 0
                side += 1
                if side == 6 { side = 0; ring += 1 }
            }
            if isPentagon(origin) { return nil }
        }
        return out
    }

    private static func hashedDisk(_ origin: UInt64, k: Int) -> [(UInt64, Int)] {
        let size = 3 * k * (k + 1) + 1
        var cells = [UInt64](repeating: 0, count: size), distances = [Int](repeating: 0, count: size)
        var stack: [(UInt64, Int)] = [(origin, 0)]
        // H3's recursion, as an explicit stack visited in the same order (directions pushed reversed)
        while let (h, d) = stack.popLast() {
            var slot = Int(h % UInt64(size))
            while cells[slot] != 0 && cells[slot] != h { slot = (slot + 1) % size }
            if cells[slot] == h && distances[slot] <= d { continue }
            cells[slot] = h
            distances[slot] = d
            if d >= k { continue }
            var next: [UInt64] = []
            for dir in ringDirections {
                var rotations = 0
                if let n = neighbor(h, direction: dir, rotations: &rotations) { next.append(n) }
            }
            for n in next.reversed() { stack.append((n, d + 1)) }
        }
        return (0..<size).filter { cells[$0] != 0 }.map { (cells[$0], distances[$0]) }
    }
}
