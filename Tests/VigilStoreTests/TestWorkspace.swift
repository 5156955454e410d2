import Foundation
import KQL
import VigilStore

/// A fresh workspace in a temporary directory, removed when the test ends.
final class TestWorkspace {
    let path: String
    init(_ yaml: String? = nil) throws {
        path = NSTemporaryDirectory() + "vigil-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        if let yaml { try yaml.write(toFile: path + "/vigil.yaml", atomically: true, encoding: .utf8) }
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    static let now = DateTimeParser.parse("2026-11-24T00:00:00Z")!

    func store(now: Int64 = TestWorkspace.now) throws -> LogStore {
        try LogStore(workspace: Workspace.open(path), clock: { now })
    }

    static var samples: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data/sentinel-samples").standardized
    }
}
