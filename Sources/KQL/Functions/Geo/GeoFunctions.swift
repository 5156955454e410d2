import Foundation

/// Geospatial functions. Distances are great-circle (haversine) on a sphere of the Earth's mean
/// radius; Kusto's geodesic figures differ by under 0.5%.
enum GeoFunctions {
    static let earthRadius = 6_371_008.8

    static let all: [FunctionDef] = [
        // geo_distance_2points(lng1, lat1, lng2, lat2): metres; null for coordinates out of range.
        F.row("geo_distance_2points", 4...4, .real) { a, _ in
            guard let lon1 = a[0].asDouble, let lat1 = a[1].asDouble, let lon2 = a[2].asDouble, let lat2 = a[3].asDouble,
                  abs(lat1) <= 90, abs(lat2) <= 90, abs(lon1) <= 180, abs(lon2) <= 180 else { return .null }
            let r = Double.pi / 180
            let dLat = (lat2 - lat1) * r, dLon = (lon2 - lon1) * r
            let h = Foundation.pow(Foundation.sin(dLat / 2), 2) + Foundation.cos(lat1 * r) * Foundation.cos(lat2 * r) * Foundation.pow(Foundation.sin(dLon / 2), 2)
            return .real(2 * earthRadius * Foundation.asin(min(1, h.squareRoot())))
        },
    ]
}
