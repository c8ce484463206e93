import Glibc

/// Processes holding `file` open, as `pid (command)`, from /proc/*/fd.
func processesHolding(_ file: String) -> [String] {
    var holders: [String] = []
    for pid in (try? listDirectory("/proc")) ?? [] where pid.allSatisfy(\.isNumber) && Int32(pid) != getpid() {
        let descriptors = "/proc/" + pid + "/fd"
        guard ((try? listDirectory(descriptors)) ?? []).contains(where: { readLink(descriptors + "/" + $0) == file }) else { continue }
        let command = (try? readWholeFile("/proc/" + pid + "/comm")).flatMap { String(decoding: $0, as: UTF8.self).split(separator: "\n").first }
        holders.append(pid + (command.map { " (" + $0 + ")" } ?? ""))
    }
    return holders
}
