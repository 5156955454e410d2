/// Intersections, unions and buffers of polygons and lines (`GeoOverlay`: GEOS in the shapes'
/// gnomonic plane, so edges stay geodesics). Null for invalid shapes, as Kusto returns.
extension GeoFunctions {
    static let overlays: [FunctionDef] = [
        F.row("geo_intersection_2polygons", 2...2, .dynamic) { a, _ in
            guard let p = polygonal(a[0]), let q = polygonal(a[1]) else { return .null }
            return GeoOverlay.overlay([p, q], .intersection)?.value ?? .null
        },
        F.row("geo_intersection_2lines", 2...2, .dynamic) { a, _ in
            guard let l = linear(a[0]), let m = linear(a[1]) else { return .null }
            return GeoOverlay.overlay([l, m], .intersection)?.value ?? .null
        },
        F.row("geo_intersection_line_with_polygon", 2...2, .dynamic) { a, _ in
            guard let l = linear(a[0]), let p = polygonal(a[1]) else { return .null }
            return GeoOverlay.overlay([l, p], .intersection)?.value ?? .null
        },
        F.row("geo_union_polygons_array", 1...1, .dynamic) { a, _ in union(a[0], polygonal) },
        F.row("geo_simplify_polygons_array", 1...2, .dynamic) { a, _ in
            let tol = a.count > 1 && !a[1].isNull ? (a[1].asDouble ?? -1) : 10
            guard tol >= 0, tol <= 7_800_000 else { return .null }
            return union(a[0], polygonal, simplify: tol)
        },
        F.row("geo_union_lines_array", 1...1, .dynamic) { a, _ in union(a[0], linear) },
        F.row("geo_polygon_buffer", 2...3, .dynamic) { a, _ in
            guard let p = polygonal(a[0]), let (r, tol) = bufferArguments(a) else { return .null }
            return GeoOverlay.buffer(p, radius: r, tolerance: tol)?.value ?? .null
        },
        F.row("geo_line_buffer", 2...3, .dynamic) { a, _ in
            guard let l = linear(a[0]), let (r, tol) = bufferArguments(a) else { return .null }
            return GeoOverlay.buffer(l, radius: r, tolerance: tol)?.value ?? .null
        },
    ]

    /// The union of an array's shapes, each read by `parse` (null when the array is empty or one of
    /// them does not parse).
    static func union(_ array: Value, _ parse: (Value) -> GeoShape?, simplify: Double? = nil) -> Value {
        guard let items = array.asArray, !items.isEmpty else { return .null }
        let shapes = items.compactMap(parse)
        guard shapes.count == items.count else { return .null }
        return GeoOverlay.overlay(shapes, .union, simplify: simplify)?.value ?? .null
    }

    static func polygonal(_ v: Value) -> GeoShape? {
        switch GeoShape.parse(v) {
        case let s? where s.isPolygonal: return s
        default: return nil
        }
    }

    static func linear(_ v: Value) -> GeoShape? {
        switch GeoShape.parse(v) {
        case .line(let ps)?: return .line(ps)
        case .multiLine(let ls)?: return .multiLine(ls)
        default: return nil
        }
    }

    /// Radius (metres, positive) and tolerance (default 10 m; at least a millionth of the radius; one
    /// above the radius is lowered below it, as the reference says).
    static func bufferArguments(_ a: [Value]) -> (Double, Double)? {
        guard let r = a[1].asDouble, r > 0, r.isFinite else { return nil }
        var tol = a.count > 2 && !a[2].isNull ? (a[2].asDouble ?? -1) : 10
        guard tol >= r * 1e-6, tol.isFinite else { return nil }
        if tol >= r { tol = r * 0.999 }
        return (r, tol)
    }
}

extension GeoShape {
    var isPolygonal: Bool {
        switch self {
        case .polygon, .multiPolygon: return true
        default: return false
        }
    }
}
