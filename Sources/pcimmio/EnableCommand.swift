import ArgumentParser
import PCIMMIO

struct EnableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable",
        abstract: "Enable a device as a driver would (sysfs enable): decoding on, power to D0.",
        discussion: """
            Writes 1 to the device's sysfs enable file, then prints COMMAND before and after. \
            The usual fix when pcimmio warns that memory decoding is disabled. Writing \
            COMMAND's bits yourself does the same for decoding alone: \
            pcimmio config DEVICE COMMAND.W=0x2:0x2.

            Examples:
              pcimmio enable 00:02.0
              pcimmio enable 00:02.0 --dry-run
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: DeviceWriteArguments

    func run() throws {
        let settings = global.settings
        let session = try settings.session()
        let selector = try target.selector
        let device = try session.device(selector)
        if target.dryRun {
            print("would " + DeviceEnable.write(device, root: settings.root).description)
            return
        }
        let space = try session.configSpace(selector)
        let before = try space.read(.w16, at: 0x04)
        try DeviceEnable.perform(device, root: settings.root)
        let after = try space.read(.w16, at: 0x04)
        print("\(device.slot): COMMAND \(formatRegister(UInt64(before), width: .w16)) -> \(formatRegister(UInt64(after), width: .w16))")
    }
}
