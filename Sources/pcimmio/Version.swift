/// pcimmio's version: the one place it is written. `pcimmio --version` prints it, and
/// Scripts/package names the Debian package after what the built binary prints (checking that
/// the top entry of packaging/changelog agrees).
let pcimmioVersion = "0.1.0"
