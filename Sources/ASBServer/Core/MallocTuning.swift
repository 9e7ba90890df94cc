#if canImport(Glibc)
import Glibc
#endif

/// The C library allocator's settings `asb` runs with on Linux (glibc's tunables).
///
/// Swift code allocates and frees many small objects (a model's properties, a row's values, a
/// string's storage). With glibc's defaults a thread keeps at most 7 freed blocks of a size for
/// itself (its tcache) and gives the rest back to the shared heap, whose bins it sorts and
/// merges again on the next large request (`malloc_consolidate`): profiled on `asb demo-data`,
/// the allocator was a fifth of the process's CPU. With 2,000 blocks a size the blocks go
/// round within the thread; the larger mmap, trim and top-pad thresholds keep the big arrays of a
/// batch in the heap instead of asking the kernel for fresh (zeroed) pages each time.
///
/// Only for `asb demo-data`, where it was measured to help (a tenth to a sixth less CPU at 50,000
/// cases, alternated). The server is not given it: its reads at 1,000,000 cases were no faster
/// with it, alternated twice, and it held 140 MB against 96 MB.
///
/// glibc reads its tunables once, when the program starts, from `GLIBC_TUNABLES`: so `asb`
/// starts itself again (same process id, same arguments) with the variable set, before anything
/// else runs. A `GLIBC_TUNABLES` already in the environment, even empty, is left as it is: that is
/// how an operator (or a benchmark) keeps glibc's defaults or sets others.
public enum MallocTuning {
    /// The commands that run with the settings.
    public static let commands: Set<String> = ["demo-data"]

    /// The settings, in glibc's syntax.
    public static let tunables = [
        "glibc.malloc.tcache_count=2000",
        "glibc.malloc.mmap_threshold=67108864",
        "glibc.malloc.trim_threshold=268435456",
        "glibc.malloc.top_pad=67108864",
    ].joined(separator: ":")

    /// The value to start the program again with, given its arguments (the command first, after
    /// the program's name) and the environment's `GLIBC_TUNABLES` (nil when it has none); nil when
    /// the program should run as it is.
    public static func restartValue(arguments: [String], current: String?) -> String? {
        guard current == nil, let command = arguments.dropFirst().first, commands.contains(command) else { return nil }
        return tunables
    }

    /// Starts this program again with `tunables` when its command takes them and the environment
    /// has no settings of its own; returns (and the program runs with glibc's defaults) only when
    /// that is not needed or not possible. Call it first, before any thread is started.
    public static func restartIfNeeded() {
        #if os(Linux) && canImport(Glibc)
        guard let value = restartValue(arguments: CommandLine.arguments, current: getenv("GLIBC_TUNABLES").map { String(cString: $0) })
        else { return }
        setenv("GLIBC_TUNABLES", value, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only if the program could not be started again: carry on as it is, without the variable,
        // which would otherwise reach programs it starts.
        unsetenv("GLIBC_TUNABLES")
        #endif
    }
}
