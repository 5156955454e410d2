import KQL
import OrderedCollections
import Foundation

/// Maps a whole .evtx file into Sentinel's tables the way `EvtxTables.append` maps one event, fast:
/// each template gets a plan once (`EvtxTemplatePlan`, shared by the chunks that repeat the template),
/// each event's values are rendered into one reused buffer (`EvtxSlots`), and the columns are set from
/// byte ranges of it, without a tree, a dictionary or a String per value. Events the plan cannot read
/// (no template, embedded XML, a data field named by a substitution) go through the view. The rows are
/// the view's, byte for byte.
public struct EvtxMapper {
    /// A record's templates: the outer one, and the one its value `slot` embeds (-1 for none) with its
    /// substitutions numbered from `offset`.
    struct ChunkKey: Hashable { var outer: Int, slot: Int, inner: Int, offset: Int }
    struct TemplateID: Hashable { var guidLow: UInt64, guidHigh: UInt64, size: UInt32 }
    struct TemplateKey: Hashable { var outer: TemplateID, slot: Int, inner: TemplateID?, offset: Int }
    /// A plan, and the substitutions its templates use: an embedded instance with fewer values is
    /// damaged (the view reports it).
    struct Entry { var outer: EvtxElement, inner: [EvtxNode], plan: EvtxTemplatePlan?, outerUses: Int, innerUses: Int }

    var chunkBase = -1
    /// The file offset of the chunk being read.
    var position = 0
    var chunkPlans: [ChunkKey: Entry?] = [:]
    /// Plans by template identity across chunks (a chunk repeats the definitions of the ones before).
    var shared: [TemplateKey: [Entry]] = [:]
    var slots = EvtxSlots()
    /// Events mapped through a template's plan (the others went through the view).
    public private(set) var planned = 0
    var xml: [UInt8] = [], json: [UInt8] = []
    var fieldText: [Range<Int>] = []
    /// Texts made once per event id (Activity) and level (EventLevelName), not once per event.
    var activities: [Int: [UInt8]] = [:], levelNames: [Int: [UInt8]] = [:]
    var securityColumns = ColumnCache(names: ["EventData", "TimeGenerated", "Computer", "EventID", "Channel", "Task", "Level", "EventSourceName",
                                              "SourceSystem", "EventOriginId", "Activity", "Account", "AccountType"])
    var eventColumns = ColumnCache(names: ["EventData", "TimeGenerated", "Source", "EventLog", "Computer", "EventID", "EventLevel", "EventLevelName",
                                           "EventCategory", "UserName", "SourceSystem", "RenderedDescription"])
    var windowsColumns = ColumnCache(names: ["TimeGenerated", "Provider", "Channel", "Computer", "EventID", "EventLevel", "EventLevelName", "Task",
                                             "EventData", "EventOriginId"])

    public init() { xml.reserveCapacity(8192) }

    /// A table's fixed columns, resolved once (a built-in table's columns never move).
    struct ColumnCache {
        let names: [String]
        var resolved: [Int?]?
        init(names: [String]) { self.names = names }
        mutating func columns(_ b: inout BatchBuilder) -> [Int?] {
            if let r = resolved { return r }
            let r = names.map { b.resolve($0) }
            if b.policy == .fixed { resolved = r }
            return r
        }
    }

    /// Every event of `bytes` (or of its `chunks`) into `b`, `each` called after each event with the
    /// file offset of its chunk (the store flushes full batches there); the damaged chunks and
    /// records are returned.
    public mutating func map(_ bytes: [UInt8], chunks: Range<Int>? = nil, into b: inout EvtxTables.Batches,
                             each: (inout EvtxTables.Batches, _ position: Int) -> Void) -> (records: Int, problems: [EvtxReader.Problem]) {
        decode(bytes, chunks: chunks) { m, event, id, written in
            switch event {
            case .planned(let plan): m.append(plan, id: id, written: written, into: &b)
            case .viewed(let view): EvtxTables.append(view, id: id, written: written, into: &b)
            }
            each(&b, m.position)
        }
    }

    /// Every event read (chunks, records, binary XML, each value's text) without making rows: the
    /// reading part of `map`, for the benchmark.
    public mutating func read(_ bytes: [UInt8]) -> (records: Int, problems: [EvtxReader.Problem]) {
        decode(bytes) { _, _, _, _ in }
    }

    /// An event decoded: its values in `slots` for its template's plan, or a view.
    enum Decoded {
        case planned(EvtxTemplatePlan)
        case viewed(EvtxEventView)
    }

    mutating func decode(_ bytes: [UInt8], chunks: Range<Int>? = nil, _ body: (inout EvtxMapper, Decoded, UInt64, Int64) -> Void)
        -> (records: Int, problems: [EvtxReader.Problem]) {
        var records = 0
        let problems = EvtxReader.walk(bytes, chunks: chunks) { reader, start, end, id, written in
            position = reader.chunk.base
            let instance = try reader.instance(at: start, end: end)
            if let instance, let entry = entry(reader, instance), let plan = entry.plan,
               instance.nested.map({ entry.outerUses < instance.count && entry.innerUses < $0.count }) ?? true {
                try slots.read(&reader, descriptors: instance.descriptors, count: instance.count)
                if let n = instance.nested { try slots.read(&reader, descriptors: n.descriptors, count: n.count, appending: true) }
                planned += 1
                body(&self, .planned(plan), id, written)
            } else if let instance, instance.nested == nil {
                let values = try reader.values(descriptors: instance.descriptors, count: instance.count)
                body(&self, .viewed(EvtxEventView(root: instance.root, values: values)), id, written)
            } else {
                body(&self, .viewed(EvtxEventView(root: try reader.root(at: start, end: end, id: id))), id, written)
            }
            records += 1
        }
        return (records, problems)
    }

    /// The plan of a record's templates: made once, kept per chunk offset and across chunks.
    mutating func entry(_ reader: ChunkReader, _ r: ChunkReader.Instance) -> Entry? {
        if reader.chunk.base != chunkBase { chunkBase = reader.chunk.base; chunkPlans.removeAll(keepingCapacity: true) }
        let local = ChunkKey(outer: r.definition, slot: r.nested?.slot ?? -1, inner: r.nested?.definition ?? -1, offset: r.nested == nil ? 0 : r.count)
        if let e = chunkPlans[local] { return e }
        let c = reader.chunk
        func id(_ d: Int) -> TemplateID { TemplateID(guidLow: c.le64(d + 4), guidHigh: c.le64(d + 12), size: c.le32(d + 20)) }
        let key = TemplateKey(outer: id(r.definition), slot: local.slot, inner: r.nested.map { id($0.definition) }, offset: local.offset)
        let inner = r.nested?.body ?? []
        let entry: Entry
        if let known = shared[key]?.first(where: { $0.outer == r.root && $0.inner == inner }) { entry = known } else {
            var root = r.root
            if let n = r.nested {
                guard let s = EvtxTemplatePlan.spliced(r.root, slot: n.slot, body: n.body, offset: r.count) else { chunkPlans[local] = .some(nil); return nil }
                root = s
            }
            entry = Entry(outer: r.root, inner: inner, plan: EvtxTemplatePlan(root: root), outerUses: EvtxTemplatePlan.highestSubstitution([.element(r.root)]),
                          innerUses: EvtxTemplatePlan.highestSubstitution(inner))
            shared[key, default: []].append(entry)
        }
        chunkPlans[local] = entry
        return entry
    }

    static let security = Array("Security".utf8), opsManager = Array("OpsManager".utf8)
    static let dataItem = Array("<DataItem type=\"System.XPathNavigator\" time=\"".utf8), dataItemEnd = Array("</DataItem>".utf8)

    /// One event through its template's plan (`EvtxTables.append`'s rows).
    mutating func append(_ plan: EvtxTemplatePlan, id: UInt64, written: Int64, into b: inout EvtxTables.Batches) {
        let provider = text(plan.provider) ?? 0..<0, channel = text(plan.channel), computer = text(plan.computer)
        let eventID = number(plan.eventID), level = number(plan.level), task = number(plan.task)
        let created = text(plan.timeCreated)
        let time: Value
        if case .slot(let i) = plan.timeCreated, i < slots.type.count, slots.type[i] == 0x11 {
            time = EvtxTables.datetime(fileTime: slots.number[i])
        } else if let r = created, let d = DateTimeParser.parse(string(r)) { time = .datetime(d) }
        else { time = EvtxTables.datetime(fileTime: written) }
        fieldText.removeAll(keepingCapacity: true)
        for (i, slot) in plan.fieldSlots.enumerated() {
            let r = slot >= 0 ? slots.range(slot) : 0..<0
            // A lone value with nothing to trim is its own range (the common case: no copy, no look at the field).
            if slot >= 0, r.isEmpty || !(EvtxMapper.blank(slots.bytes[r.lowerBound]) || EvtxMapper.blank(slots.bytes[r.upperBound - 1])) {
                fieldText.append(r)
            } else {
                fieldText.append(fieldRange(plan.fields[i]))
            }
        }
        if equals(channel, Self.security) {
            appendSecurity(plan, id: id, time: time, eventID: eventID, level: level, task: task, provider: provider, channel: channel,
                           computer: computer, into: &b.security)
        } else {
            if levelNames[level] == nil { levelNames[level] = Array(EvtxTables.levelName(level).utf8) }
            let levelName = levelNames[level]!
            let userID = text(plan.userID) ?? 0..<0
            var cols = eventColumns.columns(&b.event)
            xml.removeAll(keepingCapacity: true)
            xml += Self.dataItem
            if let r = created { slots.bytes.withUnsafeBufferPointer { xml.append(contentsOf: UnsafeBufferPointer(rebasing: $0[r])) } }
            else { xml += Array(EvtxValue.iso(written).utf8) }
            xml += [UInt8(ascii: "\""), UInt8(ascii: ">")]
            run(plan.xml)
            xml += Self.dataItemEnd
            if let c = cols[0] { xml.withUnsafeBufferPointer { b.event.set(c, $0, kind: .text) } }
            set(&b.event, cols[1], time); set(&b.event, cols[2], provider); set(&b.event, cols[3], channel); set(&b.event, cols[4], computer)
            set(&b.event, cols[5], .long(Int64(eventID))); set(&b.event, cols[6], .long(Int64(level))); set(&b.event, cols[7], levelName)
            set(&b.event, cols[8], .long(Int64(task))); set(&b.event, cols[9], userID); set(&b.event, cols[10], Self.opsManager)
            set(&b.event, cols[11], [])
            b.event.endRecord()
            cols = windowsColumns.columns(&b.windows)
            set(&b.windows, cols[0], time); set(&b.windows, cols[1], provider); set(&b.windows, cols[2], channel); set(&b.windows, cols[3], computer)
            set(&b.windows, cols[4], .long(Int64(eventID))); set(&b.windows, cols[5], .long(Int64(level))); set(&b.windows, cols[6], levelName)
            set(&b.windows, cols[7], .long(Int64(task)))
            if let c = cols[8] {
                // The object's JSON text straight from the values (the store writes it as it is).
                json.removeAll(keepingCapacity: true)
                json.append(UInt8(ascii: "{"))
                let keys = plan.jsonKeys
                slots.bytes.withUnsafeBufferPointer { p in
                    for (k, i) in plan.sortedFields.enumerated() {
                        if k > 0 { json.append(UInt8(ascii: ",")) }
                        json += keys[i]
                        Value.writeJSONString(UnsafeBufferPointer(rebasing: p[fieldText[i]]), into: &json)
                    }
                }
                json.append(UInt8(ascii: "}"))
                json.withUnsafeBufferPointer { b.windows.setJSON(c, $0) }
            }
            set(&b.windows, cols[9], Self.decimal(id))
            b.windows.endRecord()
        }
    }

    mutating func appendSecurity(_ plan: EvtxTemplatePlan, id: UInt64, time: Value, eventID: Int, level: Int, task: Int, provider: Range<Int>,
                                 channel: Range<Int>, computer: Range<Int>, into b: inout BatchBuilder) {
        let cols = securityColumns.columns(&b)
        xml.removeAll(keepingCapacity: true)
        run(plan.xml)
        if let c = cols[0] { xml.withUnsafeBufferPointer { b.set(c, $0, kind: .text) } }
        set(&b, cols[1], time); set(&b, cols[2], computer); set(&b, cols[3], .long(Int64(eventID))); set(&b, cols[4], channel)
        set(&b, cols[5], .long(Int64(task))); set(&b, cols[6], Self.decimal(level)); set(&b, cols[7], provider)
        set(&b, cols[8], Self.opsManager); set(&b, cols[9], Self.decimal(id))
        if let c = cols[10] {
            if activities[eventID] == nil { activities[eventID] = Array(EvtxTables.activity(eventID).utf8) }
            activities[eventID]!.withUnsafeBufferPointer { b.set(c, $0, kind: .text) }
        }
        func field(_ i: Int?) -> Range<Int> { i.map { fieldText[$0] } ?? 0..<0 }
        let logon = EvtxTables.logonEvents.contains(eventID) && !field(plan.targetUser).isEmpty
        let domain = logon ? field(plan.targetDomain) : field(plan.subjectDomain), name = logon ? field(plan.targetUser) : field(plan.subjectUser)
        if !name.isEmpty && !equals(name, [UInt8(ascii: "-")]) {
            var account: [UInt8] = []
            if !domain.isEmpty && !equals(domain, [UInt8(ascii: "-")]) { account += slots.bytes[domain]; account.append(UInt8(ascii: "\\")) }
            account += slots.bytes[name]
            set(&b, cols[11], account)
            set(&b, cols[12], slots.bytes[name.upperBound - 1] == UInt8(ascii: "$") ? Self.machine : Self.user)
        }
        if plan.securityColumns == nil, b.policy == .fixed { plan.securityColumns = plan.fields.map { b.resolve($0.name) ?? -1 } }
        slots.bytes.withUnsafeBufferPointer { p in
            for (i, f) in plan.fields.enumerated() {
                guard let c = plan.securityColumns.map({ $0[i] }) ?? b.resolve(f.name), c >= 0 else { continue }
                b.set(c, UnsafeBufferPointer(rebasing: p[fieldText[i]]), kind: .text)
            }
        }
        b.endRecord()
    }

    static let machine = Array("Machine".utf8), user = Array("User".utf8)

    static func decimal(_ v: some BinaryInteger) -> [UInt8] { Array(String(v).utf8) }

    @inline(__always) func set(_ b: inout BatchBuilder, _ c: Int?, _ v: Value) { if let c { b.set(c, value: v) } }
    @inline(__always) func set(_ b: inout BatchBuilder, _ c: Int?, _ bytes: [UInt8]) {
        if let c { bytes.withUnsafeBufferPointer { b.set(c, $0, kind: .text) } }
    }
    @inline(__always) func set(_ b: inout BatchBuilder, _ c: Int?, _ r: Range<Int>) {
        if let c { slots.bytes.withUnsafeBufferPointer { b.set(c, UnsafeBufferPointer(rebasing: $0[r]), kind: .text) } }
    }

    func equals(_ r: Range<Int>, _ b: [UInt8]) -> Bool { r.count == b.count && slots.bytes[r].elementsEqual(b) }
    func string(_ r: Range<Int>) -> String { slots.bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[r]), as: UTF8.self) } }
}
