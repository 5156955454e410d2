import ArgumentParser
import Foundation
import KQL
import Reports
import VigilApp
import Notifications
import VigilStore

/// `vigil report N`: an incident's report; `vigil report risky`: the riskiest-incidents digest now.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Incident reports and the riskiest-incidents digest.",
                                                    subcommands: [Show.self, Risky.self], defaultSubcommand: Show.self)

    static func time(_ now: String?) throws -> Int64 {
        try now.map { s -> Int64 in guard let v = DateTimeParser.parse(s) else { throw ValidationError("--now: '\(s)' is not a datetime") }; return v }
            ?? Int64(Date().timeIntervalSince1970 * 1e7)
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print an incident's report (Markdown, HTML or JSON).")
        @OptionGroup var target: Target
        @Option(help: "md, html or json.") var format: String = "md"
        @Argument(help: "The incident number.") var number: Int
        func run() async throws {
            guard let f = ReportFormat(rawValue: format) else { throw ValidationError("--format is md, html or json") }
            if let api = target.api {
                print(String(decoding: try await api.send("GET", "/api/incidents/\(number)/report?format=\(f.rawValue)"), as: UTF8.self), terminator: "")
                return
            }
            let store = try WorkspaceSession.open(target.workspace)
            guard let inc = try IncidentStore(store: store).get(number: number) else { throw StoreError.notFound("no incident \(number)") }
            let built = try IncidentReports(store: store).build(inc, now: try ReportCommand.time(nil))
            if let why = built.rejection { FileHandle.standardError.write(Data("note: \(why); the deterministic summary is used\n".utf8)) }
            print(ReportRenderer.render(built.report, as: f), terminator: "")
        }
    }

    struct Risky: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report the riskiest incidents: add each report as a comment, tag the incident, post it to the channels.",
            discussion: "The selection is the KQL query of vigil.yaml's reports.query (default in docs/reports.md). Re-running the same period changes nothing.")
        @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
        @Option(help: "Incidents created in the last N days (default: vigil.yaml).") var days: Int?
        @Option(help: "At most N incidents (default: vigil.yaml).") var count: Int?
        @Option(help: "Minimum risk score (default: vigil.yaml).") var minScore: Int?
        @Option(help: "The time of the run (ISO 8601; default now).") var now: String?
        @Option(help: "The period key that makes a run idempotent (default: manual|<day>|<days>d).") var period: String?
        @Flag(help: "Select and build the reports; change and post nothing.") var dryRun = false
        @Flag(help: "Queue the posts without delivering them now (vigil serve delivers them).") var noSend = false
        @Flag(help: "Print each report (Markdown).") var print = false
        func run() async throws {
            let store = try WorkspaceSession.open(workspace)
            let cfg = store.workspace.config.reports
            let t = try ReportCommand.time(now)
            let d = days ?? cfg.days
            let job = RiskyReportJob(store: store)
            let o = try job.run(.init(days: d, count: count ?? cfg.count, minScore: minScore ?? cfg.minScore,
                                      period: period ?? RiskyReportJob.period(days: d, now: t), dryRun: dryRun), now: t)
            if o.items.isEmpty { Swift.print("no incident matches (last \(d) days, min score \(minScore ?? cfg.minScore))") }
            for i in o.items {
                Swift.print("\(i.number)\t\(i.score.map(String.init) ?? "-")\t\(dryRun ? "would report" : i.reported ? "reported" : "already reported this period")\t\(i.title)")
                if let why = i.rejection { Swift.print("  note: \(why)") }
                if self.print { Swift.print("\n" + ReportRenderer.markdown(i.report)) }
            }
            for u in o.unknown { Swift.print("warning: the query named incident \(u), which is not in the workspace") }
            guard !dryRun else { return }
            Swift.print("\(o.enqueued) message(s) queued for \(job.channels.map(\.name).joined(separator: ", ").isEmpty ? "no channel" : job.channels.map(\.name).joined(separator: ", "))")
            if !noSend && o.enqueued > 0 {
                let p = try await OutboxWorker(store: store).drainAll(now: { Int64(Date().timeIntervalSince1970 * 1e7) })
                Swift.print("delivered \(p.delivered), retrying later \(p.retrying), failed \(p.failed) (vigil outbox list)")
            }
        }
    }
}

/// `vigil outbox`: what is waiting to be posted, what failed, and sending now.
struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "outbox", abstract: "Messages to Teams, Slack and webhooks: list, send, retry.",
                                                    subcommands: [List.self, Send.self, Retry.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Messages, newest first.")
        @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
        @Option(help: "pending, delivered or failed.") var state: String?
        func run() throws {
            let store = try WorkspaceSession.open(workspace)
            let s = try state.map { v -> OutboxMessage.State in
                guard let s = OutboxMessage.State(rawValue: v) else { throw ValidationError("--state is pending, delivered or failed") }
                return s
            }
            let list = try OutboxStore(store: store).list(state: s)
            if list.isEmpty { print("the outbox is empty") }
            for m in list {
                let when = m.state == .pending ? "next attempt \(ReportTime(m.nextAttempt).iso)" : "\(m.state.rawValue) at \(ReportTime(m.nextAttempt).iso)"
                print("\(m.key)\t\(m.channel)\t\(m.state.rawValue)\t\(m.attempts) attempt(s)\t\(when)\t\(m.lastError ?? "")")
            }
        }
    }

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deliver the messages that are due now.")
        @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
        func run() async throws {
            let store = try WorkspaceSession.open(workspace)
            let p = try await OutboxWorker(store: store).drainAll(now: { Int64(Date().timeIntervalSince1970 * 1e7) })
            print("delivered \(p.delivered), retrying later \(p.retrying), failed \(p.failed)")
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Failed messages back to pending, then deliver.")
        @Option(help: "Workspace directory (default ./.vigil or $VIGIL_WORKSPACE).") var workspace: String?
        func run() async throws {
            let store = try WorkspaceSession.open(workspace)
            let n = try OutboxStore(store: store).retryFailed(now: Int64(Date().timeIntervalSince1970 * 1e7))
            let p = try await OutboxWorker(store: store).drainAll(now: { Int64(Date().timeIntervalSince1970 * 1e7) })
            print("\(n) failed message(s) requeued; delivered \(p.delivered), retrying later \(p.retrying), failed \(p.failed)")
        }
    }
}
