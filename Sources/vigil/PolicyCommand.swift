import Agents
import ArgumentParser
import Foundation
import KQL
import VigilApp
import VigilCore
import VigilStore

/// `vigil policy`: the reviewer agent's policy: validate and show it, or backtest it on stored incidents.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "policy", abstract: "The reviewer agent's policy (policies/review.yaml).",
                                                    subcommands: [Show.self, Set.self, Test.self])

    /// Installs a new review policy after validating it; its version must go up, so every verdict's
    /// recorded version names one text.
    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate a policy file and install it as the workspace's (or server's); a review policy's version must increase.")
        @OptionGroup var target: Target
        @Option(help: "Which policy: review, scoring or automation.") var kind: String = "review"
        @Option(help: "Who changes it (recorded in the audit trail; a server records the token's name).") var by: String = NSUserName()
        @Argument(help: "The new policy file.") var file: String

        func run() async throws {
            guard let k = PolicyFiles.Kind(rawValue: kind) else { throw ValidationError("--kind is review, scoring or automation") }
            let text = try String(contentsOfFile: file, encoding: .utf8)
            if k == .review {
                do { _ = try ReviewPolicy.parse(text) } catch var e as ReviewPolicy.PolicyError {
                    e.file = file
                    throw e
                }
            }
            if let api = target.api {
                let out = try await api.send("PUT", "/api/policies/\(k.rawValue)", body: Data(text.utf8), contentType: "application/yaml")
                print(((((try? JSONSerialization.jsonObject(with: out)) as? [String: Any])?["installed"] as? String) ?? "installed") + " installed")
                return
            }
            let store = try WorkspaceSession.open(target.workspace)
            let summary = try PolicyFiles(workspace: store.workspace).install(k, text: text, by: by, store: store, now: Int64(Date().timeIntervalSince1970 * 1e7))
            print(summary + " installed")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate the policy and print its version and rules.")
        @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
        func run() throws {
            let store = try WorkspaceSession.open(workspace)
            let files = PolicyFiles(workspace: store.workspace)
            let p = try files.reviewPolicy()
            print("policy \(p.versionLabel) from \(FileManager.default.fileExists(atPath: files.reviewPath) ? files.reviewPath : "the built-in default")")
            print("auto-close budget \(p.autoClosePerDay) a day; shadow mode \(p.shadowMode ? "on" : "off")")
            print("hard gates: multi-stage, High severity (unless triage verified it against the users' history or the organization's egress), threat-intelligence match, privileged accounts (\(p.privilegedAccountPatterns.joined(separator: ", "))), VIP accounts (\(p.vipAccounts.count))")
            for (i, r) in p.rules.enumerated() { print("\(i + 1). \(r.name) -> \(r.action.outcome.rawValue)") }
        }
    }

    /// Backtest: what the policy would decide on the incidents created in a span, from their current state.
    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Backtest the policy on stored incidents: what it would approve, flag and close.")
        @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
        @Option(help: "Policy file to test (default: the workspace's).") var policy: String?
        @Option(help: "Incidents created from (ISO 8601).") var from: String
        @Option(help: "Incidents created until (ISO 8601).") var to: String
        @Flag(help: "List every incident's verdict.") var verbose = false
        @Option(help: "A ground-truth file (gen.py's ground_truth.json): report which labelled attacks stay open.") var groundTruth: String?

        func run() throws {
            guard let f = DateTimeParser.parse(from), let t = DateTimeParser.parse(to) else { throw ValidationError("--from and --to must be datetimes") }
            let store = try WorkspaceSession.open(workspace)
            let p = try policy.map { try ReviewPolicy.parse(try String(contentsOfFile: $0, encoding: .utf8)) } ?? PolicyFiles(workspace: store.workspace).reviewPolicy()
            let incidents = try IncidentStore(store: store).all().filter { $0.createdTime >= f && $0.createdTime <= t }
            let attacks = try groundTruth.map { try PolicyBacktest.attacks(groundTruth: try Data(contentsOf: URL(fileURLWithPath: $0))) } ?? []
            let r = PolicyBacktest.run(incidents, policy: p, attacks: attacks)
            if verbose { for v in r.verdicts { print("#\(v.incident.number) \(v.review.outcome.rawValue): \(v.review.reasons.joined(separator: " | "))") } }
            print("policy \(p.versionLabel) on \(incidents.count) incidents: \(r.count(.approve)) approve, \(r.count(.flag)) flag, \(r.count(.autoClose)) auto-close")
            print("left open: \(r.open), closed: \(r.closed)")
            let missed = r.verdicts.filter { $0.review.outcome == .autoClose && $0.incident.classification == .truePositive && $0.incident.review?.outcome != .autoClose }
            print("auto-closed although an analyst classified them TruePositive: \(missed.count)")
            for m in missed { print("  #\(m.incident.number) \(m.incident.title)") }
            if !attacks.isEmpty {
                let kept = r.attacks.filter { !$0.open.isEmpty }.count
                print("labelled attacks open: \(kept) of \(attacks.count)")
                for a in r.attacks {
                    print("  \(a.open.isEmpty ? "CLOSED" : "open  ") \(a.attack.name) (\(a.attack.technique)): open \(a.open.map { "#\($0)" }.joined(separator: " ")), closed \(a.closed.map { "#\($0)" }.joined(separator: " "))")
                }
            }
        }
    }
}

extension IncidentsCommand {
    /// `vigil incidents reopen N`: undo an automatic closure.
    struct Reopen: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reopen an incident the reviewer agent closed (undo).")
        @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
        @Option(help: "Who undoes it (recorded in the audit trail).") var by: String = NSUserName()
        @Argument(help: "The incident number.") var number: Int

        func run() throws {
            let store = try WorkspaceSession.open(workspace)
            let incidents = IncidentStore(store: store)
            guard let inc = try incidents.get(number: number) else { throw ValidationError("no incident \(number)") }
            let now = Int64(Date().timeIntervalSince1970 * 1e7)
            guard let open = ReviewerAgent.reopen(inc, by: by, now: now) else { throw ValidationError("incident \(number) was not closed by the reviewer agent") }
            try incidents.save([open], actor: by, action: { _ in ("reopen", "undo of the reviewer agent's automatic closure") }, now: now, bases: [inc.id: inc])
            print("incident \(number) reopened")
        }
    }
}

extension IncidentsCommand {
    /// `vigil incidents approve N --playbook P`: a human's approval of a pending playbook, which then runs.
    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve and run a playbook an automation rule left pending.")
        @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
        @Option(help: "The playbook (of policies/automation.yaml).") var playbook: String
        @Option(help: "Who approves (recorded in the audit trail).") var by: String = NSUserName()
        @Argument(help: "The incident number.") var number: Int

        func run() throws {
            let store = try WorkspaceSession.open(workspace)
            let incidents = IncidentStore(store: store)
            guard let inc = try incidents.get(number: number) else { throw ValidationError("no incident \(number)") }
            guard let p = try PolicyFiles(workspace: store.workspace).automation().playbooks[playbook] else { throw ValidationError("no playbook named \(playbook)") }
            let now = Int64(Date().timeIntervalSince1970 * 1e7)
            let o = PlaybookRunner().runBlocking(p, incident: inc)
            let out = IncidentPipeline.record(o, rule: nil, on: inc, now: now)
            try incidents.save([out], actor: by, action: { _ in ("playbook:\(playbook)", "approved by \(by): \(o.succeeded ? "succeeded" : "failed"), \(o.detail)") }, now: now, bases: [inc.id: inc])
            print("playbook \(playbook) on incident \(number): \(o.succeeded ? "succeeded" : "failed"), \(o.detail)")
            if !o.succeeded { throw ExitCode(1) }
        }
    }
}
