import Foundation

/// Unicode's scripts for `\p{Greek}`, `\p{sc=Cyrillic}`, `\p{scx=Han}`: the Swift standard library
/// has no script property, so the ranges come from the Unicode Character Database, bundled as
/// `unicode-scripts.txt` (written by `scripts/gen-unicode-scripts.py`) and read on first use.
enum UnicodeScripts {
    struct Entry: Sendable {
        /// Script: the one script each code point belongs to.
        var script: [ClosedRange<UInt32>] = []
        /// Script_Extensions: every script a code point is used with (U+0342, combining perispomeni,
        /// is Inherited by Script and Greek by extension).
        var extensions: [ClosedRange<UInt32>] = []
    }

    /// By loose name (long or short, case, spaces, `_` and `-` ignored).
    static let table: [String: Entry] = load()

    static func load() -> [String: Entry] {
        guard let url = Bundle.module.url(forResource: "unicode-scripts", withExtension: "txt"),
              let text = try? String(contentsOf: url, encoding: .utf8) else { return [:] }
        var out: [String: Entry] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: " ")
            guard fields.count >= 4 else { continue }
            let ranges = fields[3...].compactMap { r -> ClosedRange<UInt32>? in
                let ends = r.split(separator: "-").compactMap { UInt32($0, radix: 16) }
                guard let lo = ends.first, let hi = ends.last, lo <= hi else { return nil }
                return lo...hi
            }
            for name in [UnicodeProperty.loose(String(fields[1])), UnicodeProperty.loose(String(fields[2]))] {
                if fields[0] == "sc" { out[name, default: Entry()].script = ranges } else { out[name, default: Entry()].extensions = ranges }
            }
        }
        return out
    }

    /// The ranges `\p{name}` names: `sc=` / `Script=` a script, `scx=` / `Script_Extensions=` and a
    /// bare name its extensions (as the Rust `regex` crate reads `\p{Greek}`); nil for no script.
    static func ranges(_ raw: String) -> [ClosedRange<UInt32>]? {
        let n = UnicodeProperty.loose(raw)
        for prefix in ["scriptextensions=", "scx="] where n.hasPrefix(prefix) { return table[String(n.dropFirst(prefix.count))]?.extensions }
        for prefix in ["script=", "sc="] where n.hasPrefix(prefix) { return table[String(n.dropFirst(prefix.count))]?.script }
        if let e = table[n] { return e.extensions }
        return n.hasPrefix("is") ? table[String(n.dropFirst(2))]?.extensions : nil
    }
}
