import Detection
import Foundation
import Testing
import VigilApp
import VigilStore
import VigilCore

/// The rule pack ships in the binary, goes into every new workspace, and `vigil rules update` brings
/// a workspace to a new pack version without undoing what the user did to it.
@Suite struct RulePackInstallerTests {
    typealias File = BuiltInRulePack.File

    func read(_ dir: String, _ rel: String) -> String? { try? String(contentsOfFile: dir + "/" + rel, encoding: .utf8) }

    @Test func theBinaryCarriesThePackWithAContentVersion() {
        #expect(BuiltInRulePack.rules.count >= 34)
        #expect(BuiltInRulePack.rules.contains { $0.path == "PasswordSpray.yaml" })
        #expect(BuiltInRulePack.files.contains { $0.path == "tests/PasswordSpray.test.yaml" })
        #expect(BuiltInRulePack.version.hasPrefix("pack-") && BuiltInRulePack.version.count == 17)
    }

    @Test func aNewWorkspaceStartsWithThePackAndAnExistingOneIsLeftAlone() throws {
        let ws = try TestWorkspace()
        let store = try WorkspaceSession.open(ws.path + "/new")
        let rules = DetectReplay.ruleFiles(in: store.workspace.rulesDirectory)
        let both = BuiltInRulePack.rules.count + BuiltInRulePack.sigmaFiles.count
        #expect(rules.count == both)
        #expect(RulePackInstaller(directory: store.workspace.rulesDirectory).manifest()?.version == BuiltInRulePack.version)
        #expect(RulePackInstaller(directory: store.workspace.rulesDirectory + "/sigma").manifest()?.version == BuiltInRulePack.sigmaVersion)
        // Deleting a rule sticks: opening the workspace again does not bring it back.
        try FileManager.default.removeItem(atPath: store.workspace.rulesDirectory + "/PasswordSpray.yaml")
        let again = try WorkspaceSession.open(ws.path + "/new")
        #expect(DetectReplay.ruleFiles(in: again.workspace.rulesDirectory).count == both - 1)
        // A workspace that existed before (it has its vigil.yaml) gets nothing it did not ask for.
        let old = try TestWorkspace("detection:\n  enabled: true\n")
        let s = try WorkspaceSession.open(old.path)
        #expect(DetectReplay.ruleFiles(in: s.workspace.rulesDirectory).isEmpty)
    }

    /// The default Sigma set: SigmaHQ's Windows rules at high or critical, stable or test, that load.
    /// Every one loads and binds in a new workspace, keeps its author, and can be switched off.
    @Test func theSigmaSetLoadsInANewWorkspaceAndEachRuleCanBeSwitchedOff() throws {
        #expect(BuiltInRulePack.sigmaFiles.count >= 1100, "\(BuiltInRulePack.sigmaFiles.count)")
        #expect(BuiltInRulePack.sigmaVersion.hasPrefix("sigma-"))
        let ws = try TestWorkspace()
        let store = try WorkspaceSession.open(ws.path + "/new")
        let dir = store.workspace.rulesDirectory
        var problems: [String] = []
        let validator = RuleValidator(catalog: store, now: 0)
        let rules = try DetectReplay.loadRules(dir + "/sigma", validator: validator) { problems.append("\($0)") }
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        #expect(rules.count == BuiltInRulePack.sigmaFiles.count)
        #expect(rules.allSatisfy { $0.enabled && $0.description.hasPrefix("Sigma rule by ") && [.high].contains($0.severity) })
        let lsass = "windows/process_access/proc_access_win_lsass_dump_comsvcs_dll.yml"
        #expect(BuiltInRulePack.sigmaFiles.contains { $0.path == lsass })
        // Switched off the way the rules page does it; an update keeps it off.
        let path = dir + "/sigma/" + lsass
        try ("enabled: false\n" + (try String(contentsOfFile: path, encoding: .utf8))).write(toFile: path, atomically: true, encoding: .utf8)
        let reports = try RulePackInstaller.updateAll(rulesDirectory: dir)
        #expect(reports.map(\.updated.count) == [0, 0] && reports[1].unchanged.count == BuiltInRulePack.sigmaFiles.count)
        let after = try DetectReplay.loadRules(dir + "/sigma", validator: validator) { _ in }
        #expect(after.filter { !$0.enabled }.map(\.name) == ["Lsass Memory Dump via Comsvcs DLL"])
    }

    @Test func anUpdateKeepsEditsDisablingAndDeletionsAndRetiresDroppedRules() throws {
        let ws = try TestWorkspace()
        let dir = ws.path + "/rules"
        let v1 = [File(path: "A.yaml", text: "id: a\nname: A v1\n"), File(path: "B.yaml", text: "id: b\nname: B v1\n"),
                  File(path: "C.yaml", text: "id: c\nname: C v1\n"), File(path: "D.yaml", text: "id: d\nname: D v1\n"),
                  File(path: "E.yaml", text: "id: e\nname: E v1\n"), File(path: "tests/A.test.yaml", text: "cases: []\n")]
        let installer = RulePackInstaller(directory: dir)
        let first = try installer.update(pack: v1, version: "v1")
        #expect(first.added.count == 6 && first.from == nil)
        // The user edits A, disables B, deletes C; D and E stay as shipped.
        try "id: a\nname: A v1\nseverity: High\n".write(toFile: dir + "/A.yaml", atomically: true, encoding: .utf8)
        try "enabled: false\nid: b\nname: B v1\n".write(toFile: dir + "/B.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: dir + "/C.yaml")
        // v2 changes A, B, C and E, drops D, adds F.
        let v2 = [File(path: "A.yaml", text: "id: a\nname: A v2\n"), File(path: "B.yaml", text: "id: b\nname: B v2\n"),
                  File(path: "C.yaml", text: "id: c\nname: C v2\n"), File(path: "E.yaml", text: "id: e\nname: E v2\n"),
                  File(path: "F.yaml", text: "id: f\nname: F v2\n"), File(path: "tests/A.test.yaml", text: "cases: []\n")]
        let dry = try installer.update(pack: v2, version: "v2", dryRun: true)
        #expect(read(dir, "E.yaml") == "id: e\nname: E v1\n" && installer.manifest()?.version == "v1", "a dry run writes nothing")
        let r = try installer.update(pack: v2, version: "v2")
        #expect(dry == r)
        #expect(r.from == "v1" && r.to == "v2")
        #expect(r.added == ["F.yaml"])
        #expect(r.updated == ["B.yaml", "E.yaml"])
        #expect(r.unchanged == ["tests/A.test.yaml"])
        #expect(r.keptChanged == ["A.yaml"])
        #expect(r.keptRemoved == ["C.yaml"])
        #expect(r.retired == ["D.yaml"])
        #expect(read(dir, "A.yaml") == "id: a\nname: A v1\nseverity: High\n")
        #expect(read(dir, "B.yaml") == "enabled: false\nid: b\nname: B v2\n", "the new logic, still disabled")
        #expect(read(dir, "C.yaml") == nil && read(dir, "D.yaml") == nil)
        #expect(read(dir, "E.yaml") == "id: e\nname: E v2\n")
        // Applying the same version again changes nothing, and C still stays deleted.
        let again = try installer.update(pack: v2, version: "v2")
        #expect(again.added.isEmpty && again.updated.isEmpty && again.retired.isEmpty && again.keptRemoved == ["C.yaml"] && again.keptChanged == ["A.yaml"])
    }

    /// A workspace made before the pack shipped (no manifest): its own copies are recognised when
    /// identical, a different file of the same name is the user's, and missing rules are added.
    @Test func aWorkspaceWithoutAManifestAdoptsItsCopies() throws {
        let ws = try TestWorkspace()
        let dir = ws.path + "/rules"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "id: a\nname: A\n".write(toFile: dir + "/A.yaml", atomically: true, encoding: .utf8)
        try "id: mine\nname: Mine\n".write(toFile: dir + "/B.yaml", atomically: true, encoding: .utf8)
        let pack = [File(path: "A.yaml", text: "id: a\nname: A\n"), File(path: "B.yaml", text: "id: b\nname: B\n"), File(path: "C.yaml", text: "id: c\nname: C\n")]
        let r = try RulePackInstaller(directory: dir).update(pack: pack, version: "v1")
        #expect(r.unchanged == ["A.yaml"] && r.keptChanged == ["B.yaml"] && r.added == ["C.yaml"])
        #expect(read(dir, "B.yaml") == "id: mine\nname: Mine\n")
    }
}
