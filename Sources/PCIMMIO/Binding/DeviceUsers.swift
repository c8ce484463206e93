/// What a device serves on this machine that unbinding its driver would take away: a disk or
/// partition that is mounted, used as swap or held by device-mapper or md, or a network
/// interface that is up. Found below the device's sysfs directory (block devices are the
/// directories with `dev` and `size`; interfaces are `net/NAME`) and in the mount and swap
/// tables. The tables are this machine's: for another sysfs tree only a stand-in
/// (PCIMMIO_MOUNTS) is read, so a fixture's nvme0n1 is not taken for this machine's.
public enum DeviceUsers {
    /// One line per use, e.g. `nvme0n1p2 is mounted at /`, `enp0s2 is up`.
    public static func of(directory: String, root: String) -> [String] {
        var uses: [String] = []
        var blocks: [String] = []
        walk(directory, depth: 0, blocks: &blocks, uses: &uses)
        guard !blocks.isEmpty else { return uses }
        let mountTable = environment("PCIMMIO_MOUNTS") ?? (root == PCITree.defaultRoot ? "/proc/self/mounts" : nil)
        let mounts = mountTable.map(table) ?? []
        let swaps = root == PCITree.defaultRoot ? table("/proc/swaps") : []
        for block in blocks {
            let name = String(block.split(separator: "/").last ?? "")
            for mount in mounts where mount.count >= 2 && mount[0] == "/dev/" + name {
                uses.append("\(name) is mounted at \(mount[1])")
            }
            if swaps.contains(where: { $0.first == "/dev/" + name }) { uses.append("\(name) is swap") }
            if let holders = try? listDirectory(block + "/holders"), !holders.isEmpty {
                uses.append("\(name) is held by \(holders.sorted().joined(separator: ", "))")
            }
        }
        return uses
    }

    /// Block devices and up interfaces below `path`, symbolic links not followed (they lead
    /// back up the tree: driver, subsystem, device).
    private static func walk(_ path: String, depth: Int, blocks: inout [String], uses: inout [String]) {
        guard depth < 8, let names = try? listDirectory(path) else { return }
        if names.contains("dev"), names.contains("size") { blocks.append(path) }
        for name in names.sorted() {
            let child = path + "/" + name
            guard readLink(child) == nil, isDirectory(child) else { continue }
            if path.hasSuffix("/net"), let state = try? readWholeFile(child + "/operstate"),
               String(decoding: state, as: UTF8.self).hasPrefix("up") {
                uses.append("\(name) is up")
            }
            walk(child, depth: depth + 1, blocks: &blocks, uses: &uses)
        }
    }

    /// A whitespace-separated table (mounts, swaps), a row per line; empty when unreadable.
    private static func table(_ path: String) -> [[String]] {
        guard let bytes = try? readWholeFile(path) else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
    }
}
