import Glibc
import Testing
@testable import PCIMMIO

/// The maps a package installs are found from the executable's own path, for any prefix.
@Suite struct InstalledMapsTests {
    @Test func mapsBesideTheExecutablesPrefixAreFound() {
        let scratch = ScratchDirectory()
        defer { rmdir(scratch.path + "/share/pcimmio/maps"); rmdir(scratch.path + "/share/pcimmio"); rmdir(scratch.path + "/share") }
        #expect(MapCatalog.installedDirectory(executable: scratch.path + "/bin/pcimmio") == nil)
        for directory in ["/share", "/share/pcimmio", "/share/pcimmio/maps"] { mkdir(scratch.path + directory, 0o755) }
        #expect(MapCatalog.installedDirectory(executable: scratch.path + "/bin/pcimmio") == scratch.path + "/share/pcimmio/maps")
        #expect(MapCatalog.installedDirectory(executable: "pcimmio") == nil)
        #expect(MapCatalog.installedDirectory(executable: nil) == nil)
    }

    @Test func theExecutablePathIsThisProcess() throws {
        let path = try #require(MapCatalog.executablePath())
        #expect(path.hasPrefix("/"))
        #expect(access(path, X_OK) == 0)
    }
}
