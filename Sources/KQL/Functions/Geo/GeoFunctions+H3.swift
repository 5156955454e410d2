import Foundation

/// The H3 functions: cells of points, cells' centres and polygons, parents, children, neighbours and
/// rings. Cells are H3's lowercase hexadecimal tokens; an invalid token or resolution gives null.
extension GeoFunctions {
    static func h3Cell(_ v: Value) -> UInt64? { H3.index(token: v.kqlString) }

    static func degrees(_ p: (lat: Double, lng: Double)) -> Sphere.Point { Sphere.Point(lon: p.lng * 180 / .pi, lat: p.lat * 180 / .pi) }

    static let h3: [FunctionDef] = [
        F.row("geo_point_to_h3cell", 2...3, .string) { a, _ in
            guard let p = point(a[0], a[1]) else { return .string("") }
            let res = a.count > 2 ? (a[2].int ?? 6) : 6
            guard (0...H3.maxResolution).contains(res),
                  let h = H3.cell(lat: p.lat * .pi / 180, lng: p.lon * .pi / 180, res: res) else { return .null }
            return .string(H3.token(h))
        },
        F.row("geo_h3cell_to_central_point", 1...1, .dynamic) { a, _ in
            guard let h = h3Cell(a[0]) else { return .null }
            return GeoShape.point(degrees(H3.center(h))).value
        },
        F.row("geo_h3cell_to_polygon", 1...1, .dynamic) { a, _ in
            guard let h = h3Cell(a[0]) else { return .null }
            return GeoShape.polygon([H3.boundary(h).map(degrees)]).value
        },
        F.row("geo_h3cell_level", 1...1, .int) { a, _ in h3Cell(a[0]).map { .long(Int64(H3.resolution($0))) } ?? .null },
        F.row("geo_h3cell_parent", 1...2, .string) { a, _ in
            guard let h = h3Cell(a[0]) else { return .null }
            let res = a.count > 1 && !a[1].isNull ? a[1].int : H3.resolution(h) - 1
            guard let r = res, (0...14).contains(r), let p = H3.parent(h, res: r) else { return .null }
            return .string(H3.token(p))
        },
        F.row("geo_h3cell_children", 1...2, .dynamic) { a, _ in
            guard let h = h3Cell(a[0]) else { return .null }
            let res = a.count > 1 && !a[1].isNull ? a[1].int : H3.resolution(h) + 1
            // At most five levels down (16,807 cells) per row.
            guard let r = res, (1...H3.maxResolution).contains(r), r >= H3.resolution(h), r - H3.resolution(h) <= 5 else { return .null }
            return .array(H3.children(h, res: r).map { .string(H3.token($0)) })
        },
        F.row("geo_h3cell_neighbors", 1...1, .dynamic) { a, _ in
            guard let h = h3Cell(a[0]), let rings = H3.rings(h, k: 1) else { return .null }
            return .array(rings[1].map { .string(H3.token($0)) })
        },
        F.row("geo_h3cell_rings", 2...2, .dynamic) { a, _ in
            guard let h = h3Cell(a[0]), let k = a[1].int, (0...142).contains(k), let rings = H3.rings(h, k: k) else { return .null }
            return .array(rings.map { .array($0.map { .string(H3.token($0)) }) })
        },
    ]
}
