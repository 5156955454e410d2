import Foundation

/// Checks that a text states nothing the evidence does not: every IP address, account or host name,
/// number and date in the text must appear in the evidence text. Deliberately literal: a model's
/// prose is accepted only when each such token can be found, so it cannot invent an entity, a count
/// or a time.
public enum GroundingChecker {
    /// The tokens of `text` that the evidence does not contain (empty: grounded).
    public static func ungrounded(_ text: String, evidence: String) -> [String] {
        let haystack = evidence.lowercased()
        var problems: [String] = []
        for token in claims(in: text) where !haystack.contains(token.lowercased()) && !problems.contains(token) {
            problems.append(token)
        }
        return problems
    }

    /// Entity-like and numeric tokens: IPv4 addresses, e-mail/UPN forms, DOMAIN\\name, dotted host
    /// names, ISO dates and times, and numbers (small counts written as words are not checked).
    static func claims(in text: String) -> [String] {
        let patterns = [
            #"\b(?:\d{1,3}\.){3}\d{1,3}\b"#,                       // IPv4
            #"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"#,                  // UPN / e-mail
            #"\b[A-Za-z0-9_-]+\\[A-Za-z0-9_.$-]+"#,                // DOMAIN\name
            #"\b[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+){2,}\b"#,          // host.domain.tld
            #"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?"#, // dates and times
            #"\b\d+(?:\.\d+)?\b"#,                                  // numbers
        ]
        var out: [String] = []
        var covered: [Range<String.Index>] = []
        for p in patterns {
            guard let re = try? NSRegularExpression(pattern: p) else { continue }
            for m in re.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard var r = Range(m.range, in: text) else { continue }
                // A sentence's full stop is not part of a name.
                while r.upperBound > r.lowerBound, text[text.index(before: r.upperBound)] == "." { r = r.lowerBound..<text.index(before: r.upperBound) }
                // A number inside an address or a date already checked is not a claim of its own.
                if covered.contains(where: { $0.overlaps(r) }) { continue }
                covered.append(r)
                out.append(String(text[r]))
            }
        }
        return out
    }
}
