package io.qrrot.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** The {@code qrrot} entry point. */
public final class Main {
    private Main() {
    }

    /** slf4j-simple's level setting; read once, when the first logger is made. */
    static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";
    static final String RATIS_LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.log.org.apache.ratis";

    public static void main(String[] args) {
        // The database logs its recovery and compactions at INFO: right for the server's log, noise around
        // a client's output. Only warnings and errors, unless the user chose a level.
        if (System.getProperty(LOG_LEVEL_PROPERTY) == null && (args.length == 0 || !args[0].equals("serve"))) {
            System.setProperty(LOG_LEVEL_PROPERTY, "warn");
        }
        // Ratis logs every segment, election step and configuration at INFO: its warnings are what an operator
        // needs (a lost leader, a slow follower); qrrot logs the group's changes itself.
        if (System.getProperty(RATIS_LOG_LEVEL_PROPERTY) == null) {
            System.setProperty(RATIS_LOG_LEVEL_PROPERTY, "warn");
        }
        System.exit(run(CliContext.system(), args));
    }

    /** Every verb that lists {@code -V, --version} prints the version as {@code qrrot -V} does. */
    private static void showVersionEverywhere(CommandLine cl) {
        if (cl.getCommandSpec().mixinStandardHelpOptions() && cl.getCommandSpec().versionProvider() == null) {
            cl.getCommandSpec().versionProvider(new Version());
        }
        for (CommandLine sub : cl.getSubcommands().values()) {
            showVersionEverywhere(sub);
        }
    }

    /** Runs {@code qrrot args…} in this process; returns the exit status (0 ok, 1 failure, 2 usage). */
    public static int run(CliContext ctx, String... args) {
        return commandLine(ctx).execute(args);
    }

    static CommandLine commandLine(CliContext ctx) {
        CommandLine cl = new CommandLine(new QrrotCommand(), new ContextFactory(ctx));
        cl.setOut(new PrintWriter(new java.io.OutputStreamWriter(ctx.out(), StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new java.io.OutputStreamWriter(ctx.err(), StandardCharsets.UTF_8), true));
        // "qrrot cli SET k -1": everything after the command name is the command's, options included; an
        // unknown option before it is a usage error, as in every other verb.
        cl.getSubcommands().get("cli").setStopAtPositional(true);
        showVersionEverywhere(cl);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("qrrot: unexpected error: " + e);
            e.printStackTrace(commandLine.getErr());
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cl;
    }
}
