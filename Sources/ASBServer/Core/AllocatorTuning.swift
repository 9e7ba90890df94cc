#if canImport(Glibc)
import Glibc
#endif

/// glibc's allocator, set for what `asb demo-data` does: a great many small objects made and
/// freed soon after on the same thread (a Fluent model is an object a field).
///
/// glibc keeps 7 freed blocks of each small size per thread (its `tcache`) to hand straight back;
/// past that a free goes to the shared bins, and a later allocation searches and splits them
/// (`_int_malloc`, `malloc_consolidate`). In demo data's builders the allocator was a quarter of
/// the CPU time. Keeping 1,000 a size (`glibc.malloc.tcache_count`, a few MB a thread at most)
/// made `asb demo-data --cases 100000` take a sixth less CPU (user 132–135 s against 147–165 s,
/// wall 75–77 s against 84–92 s) on the 2-core machine; 65,535 or a larger `tcache_max` did no
/// better and took more memory.
///
/// Only the commands measured faster with it run tuned (`tunedCommands`). `asb serve` is not one:
/// with it the open cases' pages at 1,000,000 cases took 14–15 ms of CPU a page against 8–9 ms
/// and the server 20 MB more memory. Its objects are freed on other threads than made them (rows
/// read on the readers' threads, pages written on the event loops), and a freed block waits in
/// the freeing thread's cache rather than going back to be used again.
///
/// glibc reads its tunables only when a process starts (`GLIBC_TUNABLES`), so `asb` sets them and
/// runs itself again in place (`execv` of its own executable: the same process id, name, arguments
/// and environment, before any thread or file is opened). When `GLIBC_TUNABLES` is already set, even
/// empty, it is left alone: an operator's choice (empty: glibc's defaults) wins.
public enum AllocatorTuning {
    /// The tunables the commands in `tunedCommands` run with unless `GLIBC_TUNABLES` is set.
    public static let tunables = "glibc.malloc.tcache_count=1000"

    /// The commands (the first argument) that run with `tunables`.
    public static let tunedCommands: Set<String> = ["demo-data"]

    /// Runs this program again with `tunables` if its command is one of `tunedCommands` and they
    /// are not set (Linux with glibc only). If that fails (no `/proc`), it returns and the
    /// program runs with glibc's defaults.
    public static func restartIfUntuned() {
        #if os(Linux) && canImport(Glibc)
        guard let command = CommandLine.arguments.dropFirst().first, tunedCommands.contains(command) else { return }
        guard getenv("GLIBC_TUNABLES") == nil else { return }
        setenv("GLIBC_TUNABLES", tunables, 1)
        // The executable by its own path, so the process keeps its name (`ps`, `top`, `pkill asb`):
        // run as `/proc/self/exe` it was called `exe`. That path if the file has gone (an upgrade).
        if let path = executablePath { execv(path, CommandLine.unsafeArgv) }
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Not restarted: nor should the programs it starts be tuned behind the operator's back.
        unsetenv("GLIBC_TUNABLES")
        #endif
    }

    #if os(Linux) && canImport(Glibc)
    /// Where this process's executable is (`/proc/self/exe`'s target), if it can be read.
    private static var executablePath: String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        let length = readlink("/proc/self/exe", &buffer, buffer.count)
        guard length > 0, length < buffer.count else { return nil }
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    #endif

    /// What the running process's allocator was given, for its start-up log.
    public static var current: String? {
        #if os(Linux) && canImport(Glibc)
        guard let value = getenv("GLIBC_TUNABLES") else { return nil }
        return String(cString: value)
        #else
        return nil
        #endif
    }
}
