public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real PostgreSQL server on loopback for the state tests and `vigil bench --api --postgres`,
/// started once per process from Debian's `postgresql` package (scripts/bootstrap.sh installs it):
/// a new cluster in a temporary folder, trust authentication, a free port; stopped when the process
/// exits. `VIGIL_TEST_POSTGRES` names an existing server instead. Each workspace gets its own
/// schema (`?schema=workspace`).
public enum ThrowawayPostgres {
    public struct Unavailable: Error, CustomStringConvertible { public var description: String }

    /// `postgres://postgres@127.0.0.1:PORT/postgres`, or why there is none.
    public static let url: Result<String, Unavailable> = Result { try start() }.mapError { $0 as? Unavailable ?? Unavailable(description: "\($0)") }

    /// `state:` for a workspace's vigil.yaml.
    public static func stateYAML() throws -> String { "state: \"\(try url.get())?schema=workspace\"\n" }

    nonisolated(unsafe) static var dataDir = ""
    nonisolated(unsafe) static var binDir = ""

    static func start() throws -> String {
        if let u = ProcessInfo.processInfo.environment["VIGIL_TEST_POSTGRES"], !u.isEmpty { return u }
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).compactMap(Int.init).sorted()
        guard let v = versions.last, FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\(v)/bin/initdb") else {
            throw Unavailable(description: "PostgreSQL is not installed (scripts/bootstrap.sh installs Debian's postgresql)")
        }
        binDir = "/usr/lib/postgresql/\(v)/bin"
        let dir = NSTemporaryDirectory() + "vigil-pg-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // PostgreSQL refuses to run as root: the cluster belongs to the postgres user then.
        let asRoot = getuid() == 0
        if asRoot { try run("/bin/chown", ["postgres", dir]) }
        dataDir = dir + "/data"
        try run(binDir + "/initdb", ["-D", dataDir, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"], asPostgres: asRoot)
        let port = try freePort()
        // Durable settings (fsync on, synchronous commits), as SQLite's synchronous=FULL: the API
        // benchmark compares the two backends on equal terms.
        let options = "-p \(port) -k \(dir) -c listen_addresses=127.0.0.1 -c max_connections=300"
        // Not waited for: Foundation's Process on Linux notices a child's exit only when every process
        // that inherited its bookkeeping descriptor has exited, and the server lives on. Readiness
        // is polled instead.
        let starter = Process()
        starter.executableURL = URL(fileURLWithPath: asRoot ? "/usr/sbin/runuser" : binDir + "/pg_ctl")
        let startArgs = ["-D", dataDir, "-o", options, "-l", dir + "/server.log", "start"]
        starter.arguments = asRoot ? ["-u", "postgres", "--", binDir + "/pg_ctl"] + startArgs : startArgs
        starter.standardOutput = FileHandle.nullDevice; starter.standardError = FileHandle.nullDevice
        try starter.run()
        var ready = false
        for _ in 0..<300 where !ready {
            ready = (try? run(binDir + "/pg_isready", ["-q", "-h", "127.0.0.1", "-p", String(port)])) != nil
            if !ready { usleep(100_000) }
        }
        guard ready else {
            throw Unavailable(description: "PostgreSQL did not start: " + ((try? String(contentsOfFile: dir + "/server.log", encoding: .utf8)) ?? ""))
        }
        atexit {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: getuid() == 0 ? "/usr/sbin/runuser" : ThrowawayPostgres.binDir + "/pg_ctl")
            let args = ["-D", ThrowawayPostgres.dataDir, "-m", "immediate", "stop"]
            p.arguments = getuid() == 0 ? ["-u", "postgres", "--", ThrowawayPostgres.binDir + "/pg_ctl"] + args : args
            p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
            try? p.run(); p.waitUntilExit()
            // The cluster's folder (its data directory's parent) goes with it.
            try? FileManager.default.removeItem(atPath: (ThrowawayPostgres.dataDir as NSString).deletingLastPathComponent)
        }
        return "postgres://postgres@127.0.0.1:\(port)/postgres"
    }

    static func run(_ exe: String, _ args: [String], asPostgres: Bool = false) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: asPostgres ? "/usr/sbin/runuser" : exe)
        p.arguments = asPostgres ? ["-u", "postgres", "--", exe] + args : args
        // A file, not a pipe: the server pg_ctl starts would inherit a pipe and hold it open.
        let errPath = NSTemporaryDirectory() + "vigil-pg-run-" + UUID().uuidString
        FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        p.standardOutput = FileHandle.nullDevice; p.standardError = err
        try p.run(); p.waitUntilExit()
        try? err.close()
        guard p.terminationStatus == 0 else {
            throw Unavailable(description: "\(exe) \(args.joined(separator: " ")) failed: " + ((try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""))
        }
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw Unavailable(description: "no free port: errno \(errno)") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
