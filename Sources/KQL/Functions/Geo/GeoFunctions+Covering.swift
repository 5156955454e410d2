import Foundation

/// `geo_polygon_to_s2cells` and `geo_line_to_s2cells`: every S2 cell of one level that meets the
/// shape (a cell's edges are geodesics, as the shape's are), found by spreading from the cells of
/// the shape's vertices to neighbours that meet it; sorted by cell id. More than 65,536 cells, an
/// invalid shape or a level outside 0...30 give null, as the reference says.
extension GeoFunctions {
    static let covering: [FunctionDef] = [
        F.row("geo_polygon_to_s2cells", 1...2, .dynamic) { a, _ in
            guard let polys = rings(a[0]), let level = coverLevel(a) else { return .null }
            let edgesOf = polys.flatMap { $0.flatMap { edges($0, closed: true) } }
            return cover(seeds: polys.flatMap { $0.flatMap { $0 } }, level: level) { cell in
                cell.contains { inPolygons($0, polys) } || meets(cell, edgesOf)
            }
        },
        F.row("geo_line_to_s2cells", 1...2, .dynamic) { a, _ in
            guard let lines = GeoShape.parse(a[0])?.lines?.map({ $0.map(Sphere.vec) }), let level = coverLevel(a) else { return .null }
            let edgesOf = lines.flatMap { edges($0, closed: false) }
            return cover(seeds: lines.flatMap { $0 }, level: level) { cell in meets(cell, edgesOf) }
        },
    ]

    static func coverLevel(_ a: [Value]) -> Int? {
        guard a.count > 1, !a[1].isNull else { return 11 }
        guard let l = a[1].int, (0...30).contains(l) else { return nil }
        return l
    }

    /// Whether a cell (its corners) holds a vertex of the edges or one of its edges crosses them.
    static func meets(_ cell: [Sphere.V3], _ shapeEdges: [(Sphere.V3, Sphere.V3)]) -> Bool {
        if shapeEdges.contains(where: { Sphere.inRing($0.0, cell) || Sphere.inRing($0.1, cell) }) { return true }
        let sides = edges(cell, closed: true)
        return shapeEdges.contains { e in sides.contains { Sphere.arcsIntersect(e.0, e.1, $0.0, $0.1) } }
    }

    static func cover(seeds: [Sphere.V3], level: Int, _ meetsShape: ([Sphere.V3]) -> Bool) -> Value {
        var found = Set<UInt64>(), seen = Set<UInt64>()
        var queue = seeds.map { S2Cell.cell(Sphere.point($0), level: level) }
        while let id = queue.popLast() {
            guard seen.insert(id).inserted, let corners = S2Cell.vertices(id) else { continue }
            guard meetsShape(corners.map(Sphere.vec)) else { continue }
            found.insert(id)
            if found.count > 65_536 { return .null }
            queue += S2Cell.neighbors(id) ?? []
        }
        return .array(found.sorted().map { .string(S2Cell.token($0)) })
    }
}
