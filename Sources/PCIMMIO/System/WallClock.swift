import Glibc

/// The time of day (CLOCK_REALTIME), for timestamps a person or another program reads: trace
/// lines and snapshots. Durations use MonotonicClock.
enum WallClock {
    static func now() -> timespec {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return time
    }
}
