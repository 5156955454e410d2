import ArgumentParser
import Detection
import Foundation
import Reports
import VigilApp
import VigilCore
import VigilStore

/// `vigil tokens`: API tokens for `vigil serve` (roles reader, responder, contributor, admin).
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokens", abstract: "Create, list and revoke API tokens.",
                                                    subcommands: [List.self, Create.self, Revoke.self], defaultSubcommand: List.self)

    static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1e7) }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token; its secret is printed once and stored only as a hash.")
        @OptionGroup var target: Target
        @Option(help: "reader, responder, contributor or admin.") var role: String
        @Option(help: "A name for the audit trail (unique among live tokens).") var name: String
        @Option(help: "Lifetime, e.g. 90d or 12h (default: no expiry).") var expires: String?
        func run() async throws {
            guard let r = APIRole(rawValue: role) else { throw ValidationError("--role is reader, responder, contributor or admin") }
            var until: Int64?
            if let e = expires {
                guard let d = RuleDuration.parse(e), d > 0 else { throw ValidationError("--expires: '\(e)' is not a duration (90d, 12h)") }
                until = TokensCommand.now + d
            }
            if let api = target.api {
                var body: [String: Any] = ["name": name, "role": r.rawValue]
                if let d = until { body["expiresInDays"] = max(1, Int((d - TokensCommand.now) / 864_000_000_000)) }
                let out = try await api.object("POST", "/api/tokens", json: body)
                print(out["token"] as? String ?? "")
                return
            }
            let store = try WorkspaceSession.open(target.workspace)
            let (secret, t) = try TokenStore(store: store).create(name: name, role: r, expires: until, now: TokensCommand.now)
            try IncidentStore(store: store).recordAudit(actor: "cli:\(NSUserName())", action: "token created", detail: "\(name) (\(r.rawValue))", now: TokensCommand.now)
            print(secret)
            FileHandle.standardError.write(Data("token \(t.name) (\(t.role.rawValue))\(until.map { ", expires \(ReportTime($0).display)" } ?? ""): shown once; send it as Authorization: Bearer <token>\n".utf8))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Tokens, without their secrets.")
        @OptionGroup var target: Target
        func run() async throws {
            if let api = target.api {
                for t in (try await api.object("GET", "/api/tokens"))["value"] as? [[String: Any]] ?? [] {
                    print("\(t["id"] as? String ?? "")\t\(t["name"] as? String ?? "")\t\(t["role"] as? String ?? "")\tcreated \(t["created"] as? String ?? "")\t"
                          + ((t["revoked"] as? String).map { "revoked \($0)" } ?? (t["expires"] as? String).map { "expires \($0)" } ?? "no expiry")
                          + "\tlast used \(t["lastUsed"] as? String ?? "never")")
                }
                return
            }
            let store = try WorkspaceSession.open(target.workspace)
            let list = try TokenStore(store: store).list()
            if list.isEmpty { print("no tokens; create one with `vigil tokens create --role admin --name NAME`") }
            for t in list {
                let state = t.revoked.map { "revoked \(ReportTime($0).display)" } ?? t.expires.map { $0 <= TokensCommand.now ? "expired" : "expires \(ReportTime($0).display)" } ?? "no expiry"
                print("\(t.id)\t\(t.name)\t\(t.role.rawValue)\tcreated \(ReportTime(t.created).display)\t\(state)\tlast used \(t.lastUsed.map { ReportTime($0).display } ?? "never")")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by name or id; it stops working at once.")
        @OptionGroup var target: Target
        @Argument(help: "The token's name or id.") var name: String
        func run() async throws {
            if let api = target.api {
                _ = try await api.send("DELETE", "/api/tokens/" + name)
                print("revoked \(name)")
                return
            }
            let token = name
            let store = try WorkspaceSession.open(target.workspace)
            guard try TokenStore(store: store).revoke(token, now: TokensCommand.now) else { throw ValidationError("no live token \(token)") }
            try IncidentStore(store: store).recordAudit(actor: "cli:\(NSUserName())", action: "token revoked", detail: token, now: TokensCommand.now)
            print("revoked \(token)")
        }
    }
}
