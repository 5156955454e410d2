import Foundation
import OrderedCollections

/// Functions about the environment and data-size formatting: the principal and cluster (a
/// self-hosted Vigil answers for itself), extents and cursors (every row is past any cursor), time
/// zones, `estimate_data_size`, `format_bytes`, `parse_version`, `parse_user_agent`, and
/// `geo_info_from_ip_address` (null: Vigil ships no IP geolocation database).
enum EnvironmentFunctions {
    static let principal = "aaduser=vigil-local"

    static var all: [FunctionDef] {
        [
            F.row("current_principal", 0...0, .string) { _, _ in .string(principal) },
            F.row("current_principal_details", 0...0, .dynamic) { _, _ in
                .bag(["Type": .string("aaduser"), "DisplayName": .string("Vigil (local)"), "ObjectId": .string(""), "FQN": .string(principal),
                      "Notes": .string("a self-hosted Vigil workspace")])
            },
            F.row("current_principal_is_member_of", 1...65_535, .bool) { _, _ in .bool(false) },
            F.row("current_cluster_endpoint", 0...0, .string) { _, _ in .string("vigil.local") },
            F.row("current_database", 0...0, .string) { _, _ in .string("vigil") },
            F.row("extent_id", 0...0, .guid) { _, _ in .null },
            F.row("extent_tags", 0...0, .dynamic) { _, _ in .array([]) },
            F.row("cursor_after", 1...1, .bool) { _, _ in .bool(true) },
            F.row("cursor_before_or_at", 1...1, .bool) { _, _ in .bool(true) },
            F.row("cursor_current", 0...0, .string) { _, _ in .string("") },
            F.row("datetime_list_timezones", 0...0, .dynamic) { _, _ in .array(TimeZone.knownTimeZoneIdentifiers.sorted().map { .string($0) }) },
            F.row("estimate_data_size", 1...4096, .long) { a, _ in .long(a.reduce(0) { $0 + size(of: $1) }) },
            F.row("format_bytes", 1...4, .string) { a, _ in formatBytes(a) },
            F.row("parse_version", 1...1, .decimal) { a, _ in parseVersion(a[0].kqlString) },
            F.row("parse_user_agent", 2...2, .dynamic) { a, _ in UserAgent.parse(a[0].kqlString, lookFor: a[1]) },
            F.row("geo_info_from_ip_address", 1...1, .dynamic) { _, _ in .null },
        ]
    }

    static func size(of v: Value) -> Int64 {
        switch v {
        case .null: return 0
        case .bool: return 1
        case .long, .real, .datetime, .timespan: return 8
        case .guid: return 16
        case .string(let s): return Int64(s.utf8.count)
        case .array, .bag: return Int64(v.jsonText.utf8.count)
        }
    }

    /// `format_bytes(564)` is `564 Bytes`, `format_bytes(20010332, 2)` is `19.08 MB`.
    static func formatBytes(_ a: [Value]) -> Value {
        guard let v = a[0].asDouble, v.isFinite, abs(v) < 9e18 else { return .null }
        let precision = a.count > 1 ? max(0, min(20, a[1].int ?? 0)) : 0
        let units = ["Bytes", "KB", "MB", "GB", "TB", "PB", "EB"]
        let base = a.count > 3 && a[3].int == 10 ? 1000.0 : 1024.0
        var unit = 0
        if a.count > 2, !a[2].kqlString.isEmpty {
            guard let u = units.firstIndex(where: { $0.caseInsensitiveCompare(a[2].kqlString) == .orderedSame }) else { return .null }
            unit = u
        } else {
            while unit < units.count - 1 && abs(v) >= pow(base, Double(unit + 1)) { unit += 1 }
        }
        let scaled = v / pow(base, Double(unit))
        let text = unit == 0 ? String(Int64(v.rounded())) : String(format: "%.\(precision)f", scaled)
        return .string("\(text) \(units[unit])")
    }

    /// Up to four numeric parts, ordered as versions order. Vigil's decimals are doubles, so each part
    /// takes four digits (parts up to 9999): comparisons agree with Kusto's, the number differs from
    /// Kusto's 8-digits-a-part rendering.
    static func parseVersion(_ s: String) -> Value {
        let parts = s.trimmingCharacters(in: .whitespaces).split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return .null }
        var v = 0.0
        for i in 0..<4 {
            let p: Double
            if i < parts.count {
                guard let n = Int(parts[i]), n >= 0, n < 10_000 else { return .null }
                p = Double(n)
            } else { p = 0 }
            v = v * 10_000 + p
        }
        return .real(v)
    }
}

/// A compact user-agent parser for `parse_user_agent`: the common browsers, tools, operating systems
/// and devices, as Kusto's output names them (`Browser`, `OperatingSystem`, `Device`).
enum UserAgent {
    static let browsers: [(String, String)] = [
        (#"Edge?/(\d+)\.?(\d+)?\.?(\d+)?"#, "Edge"), (#"EdgA?/(\d+)\.?(\d+)?\.?(\d+)?"#, "Edge"), (#"OPR/(\d+)\.?(\d+)?\.?(\d+)?"#, "Opera"),
        (#"Firefox/(\d+)\.?(\d+)?\.?(\d+)?"#, "Firefox"), (#"CriOS/(\d+)\.?(\d+)?\.?(\d+)?"#, "Chrome Mobile iOS"),
        (#"Chrome/(\d+)\.?(\d+)?\.?(\d+)?"#, "Chrome"), (#"Version/(\d+)\.?(\d+)?\.?(\d+)?.*Safari/"#, "Safari"),
        (#"MSIE (\d+)\.?(\d+)?"#, "IE"), (#"Trident/.*rv:(\d+)\.?(\d+)?"#, "IE"), (#"curl/(\d+)\.?(\d+)?\.?(\d+)?"#, "curl"),
        (#"python-requests/(\d+)\.?(\d+)?\.?(\d+)?"#, "Python Requests"), (#"Python-urllib/(\d+)\.?(\d+)?"#, "Python-urllib"),
        (#"PowerShell/(\d+)\.?(\d+)?\.?(\d+)?"#, "PowerShell"), (#"Go-http-client/(\d+)\.?(\d+)?"#, "Go-http-client"),
        (#"okhttp/(\d+)\.?(\d+)?\.?(\d+)?"#, "okhttp"), (#"Wget/(\d+)\.?(\d+)?\.?(\d+)?"#, "Wget"),
    ]
    static let systems: [(String, String)] = [
        (#"Windows NT 10\.0"#, "Windows 10"), (#"Windows NT 6\.3"#, "Windows 8.1"), (#"Windows NT 6\.2"#, "Windows 8"),
        (#"Windows NT 6\.1"#, "Windows 7"), (#"Windows NT 6\.0"#, "Windows Vista"), (#"Windows NT 5\.1"#, "Windows XP"),
        (#"(?:iPhone|CPU) OS (\d+)_?(\d+)?_?(\d+)?"#, "iOS"), (#"Mac OS X (\d+)[_.]?(\d+)?[_.]?(\d+)?"#, "Mac OS X"),
        (#"Android (\d+)\.?(\d+)?\.?(\d+)?"#, "Android"), (#"CrOS"#, "Chrome OS"), (#"Ubuntu"#, "Ubuntu"), (#"Linux"#, "Linux"),
    ]

    static func match(_ s: String, _ table: [(String, String)]) -> (String, [String])? {
        for (p, family) in table {
            guard let m = try? RegexCache.shared.regex(p).firstMatch(in: s) else { continue }
            let groups = (1..<max(1, m.groups.count)).map { i in m.groups[i].map { String(s[$0]) } ?? "" }
            return (family, groups)
        }
        return nil
    }

    static func browser(_ s: String) -> Value {
        let (family, g) = match(s, browsers) ?? ("Other", [])
        func part(_ i: Int) -> Value { .string(i < g.count ? g[i] : "") }
        return .bag(["Family": .string(family), "MajorVersion": part(0), "MinorVersion": part(1), "Patch": part(2)])
    }

    static func os(_ s: String) -> Value {
        let (family, g) = match(s, systems) ?? ("Other", [])
        func part(_ i: Int) -> Value { .string(i < g.count ? g[i] : "") }
        return .bag(["Family": .string(family), "MajorVersion": part(0), "MinorVersion": part(1), "Patch": part(2), "PatchMinor": .string("")])
    }

    static func device(_ s: String) -> Value {
        var family = "Other", brand = "", model = ""
        if s.contains("iPhone") { (family, brand, model) = ("iPhone", "Apple", "iPhone") }
        else if s.contains("iPad") { (family, brand, model) = ("iPad", "Apple", "iPad") }
        else if s.contains("Macintosh") { (family, brand, model) = ("Mac", "Apple", "Mac") }
        else if let m = try? RegexCache.shared.regex(#"Android [\d.]+; ([^;)]+?)(?: Build|\))"#).firstMatch(in: s), m.groups.count > 1, let r = m.groups[1] {
            model = String(s[r]).trimmingCharacters(in: .whitespaces)
            (family, brand) = (model, "Generic_Android")
        }
        return .bag(["Family": .string(family), "Brand": .string(brand), "Model": .string(model)])
    }

    static func parse(_ s: String, lookFor: Value) -> Value {
        let wanted = (lookFor.asArray ?? [lookFor]).map { $0.kqlString.lowercased() }
        var d = OrderedDictionary<String, Value>()
        if wanted.contains("browser") { d["Browser"] = browser(s) }
        if wanted.contains("os") { d["OperatingSystem"] = os(s) }
        if wanted.contains("device") { d["Device"] = device(s) }
        return .bag(d)
    }
}
