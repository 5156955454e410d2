import Agents
import ArgumentParser
import Foundation
import KQL
import VigilApp
import VigilCore
import VigilStore

/// Where an incident command works: a workspace on this machine, or a running server over its API.
struct Target: ParsableArguments {
    @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
    @Option(help: "A running `vigil serve` to use instead of a workspace (or $VIGIL_SERVER), e.g. http://127.0.0.1:8080.") var server: String?
    @Option(help: "The API token for --server (or $VIGIL_TOKEN).") var token: String?

    var api: RemoteAPI? {
        let env = ProcessInfo.processInfo.environment
        guard let s = server ?? env["VIGIL_SERVER"], workspace == nil else { return nil }
        return RemoteAPI(server: s, token: token ?? env["VIGIL_TOKEN"])
    }
}

/// `vigil incidents`: the queue, one incident, and an analyst's changes and comments, on a
/// workspace or against a server.
struct IncidentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "incidents", abstract: "List, show, update and comment on incidents.",
                                                    subcommands: [List.self, Show.self, Update.self, Comment.self, Reopen.self, Approve.self], defaultSubcommand: List.self)

    static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1e7) }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The incident queue, newest first.")
        @OptionGroup var target: Target
        @Option(help: "Only this status (New, Active, Closed).") var status: String?
        @Option(help: "Output format: table or json.") var format: String = "table"

        func run() async throws {
            let names = ["Number", "Severity", "Status", "Alerts", "Score", "Verdict", "Created", "Title"]
            let types: [KQLType] = [.long, .string, .string, .long, .long, .string, .datetime, .string]
            var rows: [[Value]] = []
            if let api = target.api {
                var path: String? = "/api/incidents?$top=1000&$orderby=properties/createdTimeUtc%20desc"
                    + (status.map { "&$filter=" + "properties/status eq '\($0.capitalized)'".addingPercentEncoding(withAllowedCharacters: .alphanumerics)! } ?? "")
                while let p = path {
                    let page = try await api.object("GET", p)
                    for item in page["value"] as? [[String: Any]] ?? [] {
                        let pr = item["properties"] as? [String: Any] ?? [:]
                        let score = (pr["riskScore"] as? [String: Any])?["total"] as? Int
                        rows.append([.long(Int64(pr["incidentNumber"] as? Int ?? 0)), .string(pr["severity"] as? String ?? ""), .string(pr["status"] as? String ?? ""),
                                     .long(Int64((pr["additionalData"] as? [String: Any])?["alertsCount"] as? Int ?? 0)), score.map { .long(Int64($0)) } ?? .null,
                                     .string((pr["review"] as? [String: Any])?["outcome"] as? String ?? ""),
                                     DateTimeParser.parse(pr["createdTimeUtc"] as? String ?? "").map(Value.datetime) ?? .null, .string(pr["title"] as? String ?? "")])
                    }
                    path = page["nextLink"] as? String
                }
            } else {
                let store = try WorkspaceSession.open(target.workspace)
                let all = try IncidentStore(store: store).all().filter { status == nil || $0.status.rawValue.lowercased() == status!.lowercased() }
                    .sorted { ($0.createdTime, $0.number) > ($1.createdTime, $1.number) }
                rows = all.map { [.long(Int64($0.number)), .string($0.severity.rawValue), .string($0.status.rawValue), .long(Int64($0.alerts.count)),
                                  $0.riskScore.map { .long(Int64($0.total)) } ?? .null, .string($0.review?.outcome.rawValue ?? ""), .datetime($0.createdTime), .string($0.title)] }
            }
            let t = Table.from(schema: Schema(zip(names, types).map { ColumnSchema($0, $1) }), rows: rows)
            print(ResultFormatter.render([ResultTable(name: "incidents", table: t)], as: format == "json" ? .json : .table), terminator: "")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One incident as JSON, with its audit trail.")
        @OptionGroup var target: Target
        @Argument(help: "The incident number.") var number: Int

        func run() async throws {
            if let api = target.api {
                print(String(decoding: try await api.send("GET", "/api/incidents/\(number)"), as: UTF8.self))
                for a in (try await api.object("GET", "/api/incidents/\(number)/audit"))["value"] as? [[String: Any]] ?? [] {
                    print("audit \((a["time"] as? Int64).map { DateTimeMath.format($0) } ?? "\(a["time"] ?? "")") \(a["actor"] as? String ?? "") \(a["action"] as? String ?? ""): \(a["detail"] as? String ?? "")")
                }
                return
            }
            let store = try WorkspaceSession.open(target.workspace)
            let incidents = IncidentStore(store: store)
            guard let inc = try incidents.get(number: number) else { throw StoreError.notFound("no incident \(number)") }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(inc), as: UTF8.self))
            for a in try incidents.audit(incidentID: inc.id) { print("audit \(DateTimeMath.format(a.time)) \(a.actor) \(a.action): \(a.detail)") }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change an incident: status, severity, owner, classification, labels.",
                                                        discussion: "Closing needs --classification (and --reason for TruePositive or BenignPositive), as in Sentinel.")
        @OptionGroup var target: Target
        @Option(help: "New, Active or Closed.") var status: String?
        @Option(help: "Informational, Low, Medium or High.") var severity: String?
        @Option(help: "Who owns it (empty to unassign).") var owner: String?
        @Option(help: "TruePositive, BenignPositive, FalsePositive or Undetermined.") var classification: String?
        @Option(help: "SuspiciousActivity, SuspiciousButExpected, IncorrectAlertLogic or InaccurateData.") var reason: String?
        @Option(help: "The classification comment.") var classificationComment: String?
        @Option(help: "A label to add (repeatable).") var label: [String] = []
        @Option(help: "Who changes it (audit trail; a server records the token's name).") var by: String = NSUserName()
        @Argument(help: "The incident number.") var number: Int

        func change() throws -> IncidentChange {
            var c = IncidentChange()
            if let s = status { guard let v = Incident.Status(rawValue: s.capitalized) else { throw ValidationError("--status is New, Active or Closed") }; c.status = v }
            if let s = severity { guard let v = Severity(loose: s) else { throw ValidationError("--severity is Informational, Low, Medium or High") }; c.severity = v }
            if let o = owner { c.owner = Incident.Owner(assignedTo: o.isEmpty ? nil : o) }
            if let s = classification { guard let v = Incident.Classification(rawValue: s) else { throw ValidationError("--classification is TruePositive, BenignPositive, FalsePositive or Undetermined") }; c.classification = v }
            if let s = reason { guard let v = Incident.ClassificationReason(rawValue: s) else { throw ValidationError("--reason is SuspiciousActivity, SuspiciousButExpected, IncorrectAlertLogic or InaccurateData") }; c.classificationReason = v }
            c.classificationComment = classificationComment
            return c
        }

        func run() async throws {
            let c = try change()
            if let api = target.api {
                let current = try await api.object("GET", "/api/incidents/\(number)")
                var props: [String: Any] = [:]
                if let v = c.status { props["status"] = v.rawValue }
                if let v = c.severity { props["severity"] = v.rawValue }
                if let v = c.owner { props["owner"] = ["assignedTo": v.assignedTo as Any? ?? NSNull()] }
                if let v = c.classification { props["classification"] = v.rawValue }
                if let v = c.classificationReason { props["classificationReason"] = v.rawValue }
                if let v = c.classificationComment { props["classificationComment"] = v }
                if !label.isEmpty {
                    let have = ((current["properties"] as? [String: Any])?["labels"] as? [[String: Any]]) ?? []
                    props["labels"] = have + label.filter { l in !have.contains { $0["labelName"] as? String == l } }.map { ["labelName": $0, "labelType": "User"] }
                }
                let out = try await api.send("PATCH", "/api/incidents/\(number)", json: ["properties": props], headers: [("If-Match", current["etag"] as? String ?? "*")])
                let obj = (try? JSONSerialization.jsonObject(with: out)) as? [String: Any]
                print("incident \(number) updated (etag \(obj?["etag"] as? String ?? "?"))")
                return
            }
            let store = try WorkspaceSession.open(target.workspace)
            let now = IncidentsCommand.now
            var changed: [String] = []
            guard try IncidentStore(store: store).modify(number: number, actor: "cli:\(by)", now: now, { inc in
                var ch = c
                if !label.isEmpty { ch.labels = inc.labels + label.filter { l in !inc.labels.contains { $0.labelName == l } }.map { Incident.Label($0, .user) } }
                let (out, what) = try ch.apply(to: inc, now: now)
                changed = what
                return out == inc ? nil : (out, "update", what.joined(separator: "; "))
            }) != nil else { throw StoreError.notFound("no incident \(number)") }
            guard !changed.isEmpty else { print("incident \(number): nothing to change"); return }
            print("incident \(number) updated: \(changed.joined(separator: ", "))")
        }
    }

    struct Comment: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a comment to an incident.")
        @OptionGroup var target: Target
        @Option(help: "Who writes it (a server records the token's name).") var by: String = NSUserName()
        @Argument(help: "The incident number.") var number: Int
        @Argument(help: "The comment (Markdown or plain text, up to 30,000 characters).") var message: String

        func run() async throws {
            guard !message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, message.count <= 30_000 else { throw ValidationError("a comment is 1 to 30,000 characters") }
            if let api = target.api {
                let out = try await api.object("POST", "/api/incidents/\(number)/comments", json: ["properties": ["message": message]])
                print("comment \(out["name"] as? String ?? "") added to incident \(number)")
                return
            }
            let store = try WorkspaceSession.open(target.workspace)
            let now = IncidentsCommand.now
            let id = UUID().uuidString.lowercased()
            guard try IncidentStore(store: store).modify(number: number, actor: "cli:\(by)", now: now, { inc in
                var out = inc
                out.comments.append(Incident.Comment(id: id, message: message, author: by, createdTime: now))
                out.lastModifiedTime = now
                return (out, "comment", String(message.prefix(200)))
            }) != nil else { throw StoreError.notFound("no incident \(number)") }
            print("comment \(id) added to incident \(number)")
        }
    }
}
