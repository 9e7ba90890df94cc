import ConsoleKit
import Foundation
import Vapor

/// `asb migrate [--revert] [--yes]`: Fluent's migrate command, which lists what it will do and
/// asks before doing it. Without a terminal to ask on (a deploy script, a cron job) and without
/// `--yes` (`-y`) to answer for it, it stops with a clear message: Fluent's prompt would read the
/// end of its input and crash the program.
struct ASBMigrateCommand: AnyAsyncCommand {
    /// Fluent's own command, which does the work.
    let fluent: any AnyAsyncCommand
    /// Whether standard input is a terminal (a parameter for the tests).
    var hasTerminal: @Sendable () -> Bool = NoTerminalToAsk.standardInputIsTerminal

    var help: String { "Applies (or with --revert, reverts) migrations; asks first unless --yes (-y)" }

    func run(using context: inout CommandContext) async throws {
        // `--yes` and `--no` are read by the console before the command runs (as is `--help`).
        guard context.console.confirmOverride != nil || hasTerminal() else { throw NoTerminalToAsk(command: "migrate") }
        try await fluent.run(using: &context)
    }

    func outputHelp(using context: inout CommandContext) throws {
        try fluent.outputHelp(using: &context)
    }

    func renderCompletionFunctions(using context: CommandContext, shell: Shell) -> String {
        fluent.renderCompletionFunctions(using: context, shell: shell)
    }
}

/// A command that asks before it changes the database (`migrate`, `restore`) was run without a
/// terminal to ask on and without `--yes` (`-y`, read by the console before the command runs) to
/// answer for it. ConsoleKit's prompt would read the end of its input and crash the program.
struct NoTerminalToAsk: Error, CustomStringConvertible {
    let command: String

    var description: String {
        "asb \(command) asks before it changes the database, and there is no terminal to ask on: run it with --yes (or -y)."
    }

    static let standardInputIsTerminal: @Sendable () -> Bool = { isatty(STDIN_FILENO) == 1 }
}
