/// Geohash cells (the public base-32 interleaving of longitude and latitude bits).
enum Geohash {
    static let alphabet = Array("0123456789bcdefghjkmnpqrstuvwxyz")
    static let index: [Character: Int] = Dictionary(uniqueKeysWithValues: alphabet.enumerated().map { ($1, $0) })

    static func encode(_ p: Sphere.Point, precision: Int) -> String {
        var lon = (-180.0, 180.0), lat = (-90.0, 90.0)
        var out = "", bit = 0, ch = 0, even = true
        while out.count < precision {
            if even {
                let mid = (lon.0 + lon.1) / 2
                if p.lon >= mid { ch = ch << 1 | 1; lon.0 = mid } else { ch <<= 1; lon.1 = mid }
            } else {
                let mid = (lat.0 + lat.1) / 2
                if p.lat >= mid { ch = ch << 1 | 1; lat.0 = mid } else { ch <<= 1; lat.1 = mid }
            }
            even.toggle()
            bit += 1
            if bit == 5 { out.append(alphabet[ch]); bit = 0; ch = 0 }
        }
        return out
    }

    /// The cell's bounds: (west, south, east, north).
    static func bounds(_ hash: String) -> (Double, Double, Double, Double)? {
        guard !hash.isEmpty, hash.count <= 18 else { return nil }
        var lon = (-180.0, 180.0), lat = (-90.0, 90.0)
        var even = true
        for c in hash.lowercased() {
            guard let v = index[c] else { return nil }
            for k in stride(from: 4, through: 0, by: -1) {
                let b = (v >> k) & 1
                if even { let m = (lon.0 + lon.1) / 2; if b == 1 { lon.0 = m } else { lon.1 = m } }
                else { let m = (lat.0 + lat.1) / 2; if b == 1 { lat.0 = m } else { lat.1 = m } }
                even.toggle()
            }
        }
        return (lon.0, lat.0, lon.1, lat.1)
    }

    static func neighbors(_ hash: String) -> [String]? {
        guard let (w, s, e, n) = bounds(hash) else { return nil }
        let dLon = e - w, dLat = n - s
        let cLon = (w + e) / 2, cLat = (s + n) / 2
        var out: [String] = []
        for (dy, dx) in [(1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1)] {
            let lat = cLat + Double(dy) * dLat
            guard abs(lat) < 90 else { continue }
            var lon = cLon + Double(dx) * dLon
            if lon > 180 { lon -= 360 } else if lon < -180 { lon += 360 }
            let h = encode(Sphere.Point(lon: lon, lat: lat), precision: hash.count)
            if h != hash && !out.contains(h) { out.append(h) }
        }
        return out
    }
}
