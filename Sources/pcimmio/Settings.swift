import PCIMMIO

/// What the global options say, however they were parsed.
struct Settings {
    var sysfs: String?
    var trace: String?
    /// --map FILE; without it, maps come from the PCIMMIO_MAPS directory.
    var map: String? = nil
    /// --trace-summary.
    var traceSummary = false
    /// `run --via`: the access path for script lines that do not name one.
    var via: AccessVia? = nil
    /// --check-errors.
    var checkErrors = false

    var root: String { PCITree.root(option: sysfs) }

    /// The sysfs tree, for the enumeration commands.
    func tree() throws(PCIMMIOError) -> PCITree {
        try PCITree(root: root)
    }

    /// A register session writing to stdout, tracing when --trace was given.
    func session() throws(PCIMMIOError) -> RegisterSession {
        let session = RegisterSession(root: root, trace: try trace.map { (path) throws(PCIMMIOError) in try TraceLog(path: path, summary: traceSummary) },
                                      maps: MapCatalog(explicit: map), via: via)
        session.checkErrors = checkErrors
        return session
    }
}
