import Glibc

/// Everything that can go wrong, each case carrying what a person needs to fix it. Two kinds,
/// told apart by `exitCode` and nowhere else: what the user typed or gave (exit 2: `usage` and
/// the `malformed…` cases), and what the machine answered (exit 1: system calls keep their errno).
public enum PCIMMIOError: Error, Equatable, CustomStringConvertible {
    // Enumeration
    case pciTreeUnreadable(root: String, reason: String)
    /// libpci (loaded on first use) is missing or too old.
    case libraryUnavailable(String)
    case malformedDevice(text: String, reason: String)
    case malformedFilter(option: String, text: String, reason: String)
    case noSuchDevice(text: String, candidates: [String])
    case ambiguousDevice(text: String, matches: [String])
    case deviceUnreadable(slot: String, reason: String)

    // Input
    case malformedNumber(what: String, text: String)
    case malformedBAR(text: String)
    case malformedWidth(text: String)
    case malformedRegion(text: String, reason: String)
    case valueTooWide(value: UInt64, width: Width)
    case maskTooWide(mask: UInt64, width: Width)
    /// Bad input that no other case names: the message says what was wrong and what would be right.
    case usage(String)
    case malformedDuration(what: String, text: String)
    case malformedConfigOperation(text: String, reason: String)

    // BARs and their files
    case unusedBAR(slot: String, bar: Int, used: [Int])
    case unassignedBAR(slot: String, bar: Int)
    case zeroSizedBAR(slot: String, bar: Int)
    case missingResourceFile(path: String)
    case writeCombiningUnavailable(slot: String, bar: Int, reason: String)
    case ioWidthUnsupported(slot: String, bar: Int, width: Width)
    case widthUnsupported(slot: String, bar: Int, width: Width, reason: String)
    case physicalRangeRefused(address: UInt64, length: UInt64, entry: String)
    case outOfBounds(slot: String, bar: Int, offset: UInt64, length: UInt64, size: UInt64)
    /// `phys`: a run of registers that would wrap past the end of the physical address space.
    case physicalRangeTooLong(address: UInt64, length: UInt64)
    case misaligned(offset: UInt64, width: Width)

    // System calls and the device
    case system(call: String, path: String, errno: Int32)
    /// A refusal pcimmio can explain: `cause` says why and what to do.
    case accessRefused(call: String, path: String, errno: Int32, cause: String)
    /// VFIO could not give the device: no IOMMU, modules missing, group not viable or busy.
    case vfioUnavailable(slot: String, reason: String)
    case driverBinding(slot: String, reason: String)
    case shortTransfer(call: String, path: String, offset: UInt64, expected: Int, got: Int)
    case accessFault(slot: String, bar: Int, offset: UInt64, signal: Int32)
    case physicalAccessFault(address: UInt64, signal: Int32)
    case verifyMismatch(offset: UInt64, wrote: String, read: String)
    /// --check-errors: error bits the access set in config space.
    case errorsRaised(slot: String, operation: String, errors: [String])
    /// `place`: `0000:00:02.0 BAR 0 offset 0x20` or `physical address 0xfea00020`.
    case timeout(place: String, condition: String, last: String, after: String)

    /// A kernel interface answered in a shape pcimmio cannot read (/proc/iomem, VFIO's region info).
    case unreadableKernelData(source: String, detail: String)
    /// A part of pcimmio is missing from this installation.
    case notInstalled(String)
    /// A broken promise inside pcimmio: a bug, not the user's input.
    case internalError(String)

    // Scripts
    indirect case inScript(file: String, line: Int, PCIMMIOError)

    public var description: String {
        switch self {
        case let .libraryUnavailable(reason):
            return reason
        case let .pciTreeUnreadable(root, reason):
            return "cannot read a PCI tree at \(root): \(reason) (--sysfs/PCIMMIO_SYSFS must name a directory like /sys/bus/pci, holding devices/)"
        case let .malformedDevice(text, reason):
            return "'\(text)' is not a device: \(reason) (expected a slot like 00:02.0 or 0000:00:02.0, or vendor:device like 8086:100e)"
        case let .malformedFilter(option, text, reason):
            return "\(option) '\(text)': \(reason)"
        case let .noSuchDevice(text, candidates):
            return "no device matches '\(text)'" + listing("devices present", candidates)
        case let .ambiguousDevice(text, matches):
            return "'\(text)' matches \(matches.count) devices, name one by its slot" + listing("matches", matches)
        case let .deviceUnreadable(slot, reason):
            return "cannot read device \(slot): \(reason)"
        case let .malformedNumber(what, text):
            return "\(what) '\(text)' is not a number (use \(text.hasPrefix("-") ? "an unsigned " : "")decimal, 0x hex or 0b binary\(what == "value" || what == "mask" || what == "argument" ? "" : ", optionally with a k, M or G suffix"))"
        case let .malformedBAR(text):
            return "'\(text)' is not a BAR (expected 0-5, bar0-bar5, or rom for the expansion ROM)"
        case let .malformedWidth(text):
            return "'\(text)' is not an access width (expected 8, 16, 32 or 64)"
        case let .malformedRegion(text, reason):
            return "region '\(text)': \(reason) (expected START, START+SIZE or START-END, END inclusive)"
        case let .maskTooWide(mask, width):
            return "mask 0x\(String(mask, radix: 16)) does not fit in \(width.bits) bits (largest is 0x\(String(width.mask, radix: 16)))"
        case let .valueTooWide(value, width):
            return "value 0x\(String(value, radix: 16)) does not fit in \(width.bits) bits (largest is 0x\(String(width.mask, radix: 16)))"
        case let .usage(message):
            return message
        case let .unreadableKernelData(source, detail):
            return "cannot read \(source): \(detail)"
        case let .notInstalled(what):
            return what
        case let .internalError(what):
            return "internal error: \(what) (please report it)"
        case let .malformedConfigOperation(text, reason):
            return "config operation '\(text)': \(reason) (setpci's syntax: REGISTER[+OFFSET][.B|.W|.L][@N][=VALUE[:MASK][,…]], values in hex)"
        case let .malformedDuration(what, text):
            return "\(what) '\(text)' is not a duration (use a number with ns, us, ms, s, m or h, e.g. 500ms or 1.5s)"
        case let .unassignedBAR(slot, bar):
            return "\(slot) BAR \(bar) is unassigned: it has no address, so nothing answers there (lspci shows it as <unassigned>)"
        case let .unusedBAR(slot, bar, used):
            return "\(slot) has no BAR \(bar)" + (used.isEmpty ? " (it has no BARs)" : " (its BARs: \(used.map(String.init).joined(separator: ", ")))")
        case let .zeroSizedBAR(slot, bar):
            return "\(slot) BAR \(bar) has size 0: nothing to access"
        case let .missingResourceFile(path):
            return "\(path) does not exist: the kernel did not create a resource file for this BAR (BARs of some devices, or any BAR on some platforms, are not exported)"
        case let .writeCombiningUnavailable(slot, bar, reason):
            return "--wc on \(slot) BAR \(bar): \(reason); drop --wc to use the uncached resource file"
        case let .ioWidthUnsupported(slot, bar, width):
            return "\(slot) BAR \(bar) is an I/O-port BAR: \(width.bits)-bit access is not possible there (use -w 8, 16 or 32)"
        case let .widthUnsupported(slot, bar, width, reason):
            return "\(slot) BAR \(bar): \(width.bits)-bit access is not possible there: \(reason) (use -w 8, 16 or 32)"
        case let .physicalRangeRefused(address, length, entry):
            return "physical address 0x\(String(address, radix: 16)) + \(length) byte\(length == 1 ? "" : "s") is in \(entry): that is memory the kernel owns, not device registers; nothing was opened"
        case let .accessRefused(call, path, errno, cause):
            return "\(call) \(path): \(systemErrorText(errno)): \(cause)"
        case let .vfioUnavailable(slot, reason):
            return "VFIO cannot reach \(slot): \(reason)"
        case let .driverBinding(slot, reason):
            return "cannot bind \(slot): \(reason)"
        case let .physicalRangeTooLong(offset, length):
            return "physical address 0x\(String(offset, radix: 16)) + \(length) byte\(length == 1 ? "" : "s") is past the end of the 64-bit physical address space"
        case let .outOfBounds(slot, bar, offset, length, size):
            let start = "offset 0x\(String(offset, radix: 16)) + \(length) byte\(length == 1 ? "" : "s") is past the end of \(slot) BAR \(bar) (size 0x\(String(size, radix: 16)); "
            guard size >= length else { return start + "this access is longer than the whole BAR, so no offset fits it)" }
            return start + "last valid offset for this access is 0x\(String(size - length, radix: 16)))"
        case let .misaligned(offset, width):
            return "offset 0x\(String(offset, radix: 16)) is not aligned to the \(width.bits)-bit access width (must be a multiple of \(width.bytes))"
        case let .system(call, path, errno):
            return "\(call) \(path): \(systemErrorText(errno))" + ((errno == 1 || errno == 13) && geteuid() != 0 ? " (run as root?)" : "")
        case let .shortTransfer(call, path, offset, expected, got):
            return "\(call) \(path) at 0x\(String(offset, radix: 16)): transferred \(got) of \(expected) bytes"
        case let .accessFault(slot, bar, offset, signal):
            return "\(signalName(signal)) accessing \(slot) BAR \(bar) at offset 0x\(String(offset, radix: 16)): "
                + "the device or its resource file went away under the mapping (or its memory decoding was turned off)"
        case let .physicalAccessFault(address, signal):
            return "\(signalName(signal)) accessing physical address 0x\(String(address, radix: 16)): nothing answered at that physical address"
        case let .errorsRaised(slot, operation, errors):
            return "\(slot): this \(operation) raised \(errors.joined(separator: ", "))"
        case let .verifyMismatch(offset, wrote, read):
            return "verify failed at offset 0x\(String(offset, radix: 16)): wrote \(wrote), read back \(read)"
        case let .inScript(file, line, error):
            return "\(file):\(line): \(error)"
        case let .timeout(place, condition, last, after):
            return "timed out after \(after) waiting for \(condition) at \(place); last value \(last)"
        }
    }

    /// Exit status for the command line: 2 for bad input, 1 for everything else. Every case is
    /// listed, so a new one must choose.
    public var exitCode: Int32 {
        switch self {
        case let .inScript(_, _, error):
            return error.exitCode
        case .malformedDevice, .malformedFilter, .malformedNumber, .malformedBAR, .malformedWidth,
             .malformedRegion, .valueTooWide, .maskTooWide, .usage, .misaligned, .malformedDuration,
             .malformedConfigOperation:
            return 2
        case .pciTreeUnreadable, .libraryUnavailable, .noSuchDevice, .ambiguousDevice, .deviceUnreadable,
             .unusedBAR, .unassignedBAR, .zeroSizedBAR, .missingResourceFile, .writeCombiningUnavailable,
             .ioWidthUnsupported, .widthUnsupported, .physicalRangeRefused, .outOfBounds, .physicalRangeTooLong,
             .system, .accessRefused, .vfioUnavailable, .driverBinding, .shortTransfer, .accessFault,
             .physicalAccessFault, .verifyMismatch, .errorsRaised, .timeout, .unreadableKernelData, .notInstalled,
             .internalError:
            return 1
        }
    }
}

private func signalName(_ signal: Int32) -> String {
    signal == SIGBUS ? "bus error (SIGBUS)" : "fault (signal \(signal))"
}

private func listing(_ title: String, _ items: [String]) -> String {
    if items.isEmpty { return " (no devices present)" }
    let shown = items.prefix(8).joined(separator: ", ")
    return " (\(title): \(shown)\(items.count > 8 ? ", … \(items.count - 8) more" : ""))"
}
