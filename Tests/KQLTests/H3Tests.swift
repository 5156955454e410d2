import Foundation
import Testing
import KQL
import VigilApp
import OrderedCollections

/// Vigil's H3 functions against the reference implementation: Fixtures/h3-oracle.json holds points
/// (random, and around the 12 pentagons) with the cells, centres, boundaries and disks the `h3`
/// package gives (written by scripts/h3/make_fixture.py).
@Suite struct H3Tests {
    struct Case: Decodable {
        let lat: Double, lng: Double, res: Int, cell: String
        let center: [Double]
        let boundary: [[Double]]
        let disk1: [String]?
        let disk2: [String]?
    }

    static let cases: [Case] = {
        let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("h3-oracle.json")
        return (try? JSONDecoder().decode([Case].self, from: Data(contentsOf: url))) ?? []
    }()

    static func table(_ query: String) -> Table? {
        let outcome = QueryRunner(provider: InMemoryTables(), now: 0).run(query)
        guard case .success(let r, _) = outcome else { Issue.record("\(outcome)"); return nil }
        return r.first?.table
    }

    static func literal(_ s: String) -> String { "'\(s)'" }

    static func member(_ v: Value, _ key: String) -> Value {
        guard case .bag(let b) = v else { return .null }
        return b[key] ?? .null
    }

    static func numbers(_ v: Value) -> [Double] {
        guard case .array(let xs) = v else { return [] }
        return xs.compactMap(\.asDouble)
    }

    @Test func fixtureLoads() { #expect(Self.cases.count > 700) }

    @Test func pointsFallInTheReferenceCells() throws {
        let rows = Self.cases.map { "\($0.lat), \($0.lng), \($0.res)" }.joined(separator: ",\n")
        let t = try #require(Self.table("datatable(lat:real, lng:real, res:long) [\(rows)] | project cell = geo_point_to_h3cell(lng, lat, res)"))
        var wrong: [String] = []
        for (n, c) in Self.cases.enumerated() where t.row(n)[0].kqlString != c.cell {
            wrong.append("(\(c.lat), \(c.lng)) res \(c.res): got \(t.row(n)[0].kqlString), want \(c.cell)")
        }
        #expect(wrong.isEmpty, "\(wrong.count) of \(Self.cases.count) differ:\n\(wrong.prefix(10).joined(separator: "\n"))")
    }

    @Test func centresAndBoundariesMatch() throws {
        let cells = Self.cases.map { Self.literal($0.cell) }.joined(separator: ", ")
        let t = try #require(Self.table("datatable(cell:string) [\(cells)] | project c = geo_h3cell_to_central_point(cell), p = geo_h3cell_to_polygon(cell), l = geo_h3cell_level(cell)"))
        var wrong: [String] = []
        for (n, c) in Self.cases.enumerated() {
            let row = t.row(n)
            let centre = Self.numbers(Self.member(row[0], "coordinates"))
            if centre.count != 2 || abs(centre[0] - c.center[1]) > 1e-9 || abs(centre[1] - c.center[0]) > 1e-9 {
                wrong.append("\(c.cell) centre \(centre), want \(c.center)")
            }
            guard case .array(let rings) = Self.member(row[1], "coordinates"), case .array(let ring) = rings.first ?? .null else {
                wrong.append("\(c.cell) has no polygon"); continue
            }
            let got = ring.map(Self.numbers)
            // the ring is closed: the first vertex again at the end
            let ok = got.count == c.boundary.count + 1 && zip(got, c.boundary).allSatisfy { abs($0[0] - $1[1]) < 1e-9 && abs($0[1] - $1[0]) < 1e-9 }
            if !ok { wrong.append("\(c.cell) res \(c.res) boundary \(got.count - 1) vertices, want \(c.boundary.count)") }
            if row[2].asInt64 != Int64(c.res) { wrong.append("\(c.cell) level \(row[2])") }
        }
        #expect(wrong.isEmpty, "\(wrong.count) differ:\n\(wrong.prefix(12).joined(separator: "\n"))")
    }

    /// Kusto's rings are H3's disk grouped by distance, each ring in the disk's order.
    static func referenceRings(_ c: Case) -> [[String]] {
        let d1 = Set(c.disk1 ?? []), d2 = c.disk2 ?? []
        return [[c.cell], d2.filter { d1.contains($0) && $0 != c.cell }, d2.filter { !d1.contains($0) }]
    }

    @Test func ringsMatchTheReferenceDisks() throws {
        let withDisks = Self.cases.filter { $0.disk2 != nil }
        let cells = withDisks.map { Self.literal($0.cell) }.joined(separator: ", ")
        let t = try #require(Self.table("datatable(cell:string) [\(cells)] | project r = geo_h3cell_rings(cell, 2), n = geo_h3cell_neighbors(cell)"))
        var orderDiffers: [String] = [], setDiffers: [String] = []
        for (n, c) in withDisks.enumerated() {
            guard case .array(let rings) = t.row(n)[0] else { setDiffers.append("\(c.cell): null"); continue }
            let got = rings.map { r -> [String] in
                guard case .array(let xs) = r else { return [] }
                return xs.map(\.kqlString)
            }
            let want = Self.referenceRings(c)
            if got.map(Set.init) != want.map(Set.init) || got.map(\.count) != want.map(\.count) {
                setDiffers.append("\(c.cell) res \(c.res): got \(got), want \(want)")
            } else if got != want {
                orderDiffers.append(c.cell)
            }
            let neighbours = (c.disk1 ?? []).filter { $0 != c.cell }
            if case .array(let ns) = t.row(n)[1], ns.map(\.kqlString) == neighbours {} else { setDiffers.append("\(c.cell): neighbours \(t.row(n)[1]), want \(neighbours)") }
        }
        #expect(setDiffers.isEmpty, "\(setDiffers.count) of \(withDisks.count):\n\(setDiffers.prefix(5).joined(separator: "\n"))")
        #expect(orderDiffers.isEmpty, "\(orderDiffers.count) of \(withDisks.count) in another order: \(orderDiffers.prefix(10))")
    }
}
