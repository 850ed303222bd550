package io.qrrot.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** The {@code qrrot} entry point. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(CliContext.system(), args));
    }

    /** Runs {@code qrrot args…} in this process; returns the exit status (0 ok, 1 failure, 2 usage). */
    public static int run(CliContext ctx, String... args) {
        return commandLine(ctx).execute(args);
    }

    static CommandLine commandLine(CliContext ctx) {
        CommandLine cl = new CommandLine(new QrrotCommand(), new ContextFactory(ctx));
        cl.setOut(new PrintWriter(new java.io.OutputStreamWriter(ctx.out(), StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new java.io.OutputStreamWriter(ctx.err(), StandardCharsets.UTF_8), true));
        // "qrrot cli SET k -1": everything after the command name is the command's, options included.
        CommandLine client = cl.getSubcommands().get("cli");
        client.setStopAtPositional(true);
        client.setUnmatchedOptionsArePositionalParams(true);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("qrrot: unexpected error: " + e);
            e.printStackTrace(commandLine.getErr());
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cl;
    }
}
