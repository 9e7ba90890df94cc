import ASBServer
import Logging
import NIOCore
import NIOPosix
import Vapor

// `asb`: the ASB Casework server and its operational commands.

// First of all, for `asb demo-data`: glibc's allocator set for its many small objects, which
// glibc reads only as a process starts, so it runs itself again in place with them
// (`AllocatorTuning`; every other command goes straight on).
AllocatorTuning.restartIfUntuned()

// When serving, Swift concurrency runs its tasks on NIO's event loops instead of a separate thread
// pool, so a database answer resumes its handler on the thread that received it rather than one
// more thread hop away (each statement of a write otherwise crossed three threads). This must come
// before the first `await`; nothing in this code base blocks an event loop (`.wait()` is never
// used; bcrypt and SQLite run on thread pools of their own). The batch commands (demo-data,
// import, stats, ...) keep Swift's own executor: they overlap long computations with their writes,
// which an event loop busy computing would hold up.
let serving = CommandLine.arguments.dropFirst().first.map { $0 == "serve" || $0.hasPrefix("-") } ?? true
let executorInstalled = serving && NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

var env = try Environment.detect()
try LoggingSystem.bootstrap(from: &env)
let app = try await Application.make(env)
app.logger.debug("Swift concurrency on NIO's event loops", metadata: ["installed": "\(executorInstalled)"])
app.logger.debug("glibc's allocator", metadata: ["GLIBC_TUNABLES": "\(AllocatorTuning.current ?? "(not set)")"])
// A failure is reported once (Vapor reports the command's own) and ends the program with status 1,
// not a crash report.
do {
    let config = try AppConfig.fromEnvironment()
    try await configure(app, config: config)
} catch {
    app.logger.report(error: error)
    try? await app.asyncShutdown()
    exit(1)
}
do {
    try await app.execute()
} catch {
    try? await app.asyncShutdown()
    exit(1)
}
try await app.asyncShutdown()
