package io.qrrot.cli.client;

import io.qrrot.cli.CliContext;
import io.qrrot.cli.ai.AgentConfig;
import io.qrrot.cli.ai.AgentOutcome;
import io.qrrot.cli.ai.StreamUi;
import io.qrrot.cli.embedded.EmbeddedDatabase;
import io.qrrot.recovery.Qrrot;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code qrrot ai "<request>"}: one request to the AI agent against a server or a data directory. */
@Command(name = "ai", sortOptions = false,
        description = {"Asks the AI agent (Gemini) about the data, in plain words.",
                "Reads (get, mget, exists, type, ttl, strlen, json_get, scan, hash_get, set_members, set_contains) run "
                        + "at once; writes are only proposed: "
                        + "they are shown, and run only after you answer yes (or with --yes), as one transaction that "
                        + "aborts if the data it read changed meanwhile. Needs GEMINI_API_KEY (or GOOGLE_API_KEY).",
                "Exit status: 0 answered, and every write it proposed confirmed and done; 1 failure; 2 usage error; "
                        + "3 plan refused, 4 plan declined or not confirmed, 5 plan aborted (for 3, 4 and 5 nothing "
                        + "was written)."})
public final class AiCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Mixin
    AiOptions ai;

    @Option(names = "--embedded", paramLabel = "DIR",
            description = "Open the data directory DIR in this process instead of connecting to a server (no server "
                    + "may have it open; it must exist: qrrot cli --embedded DIR --create makes one).")
    Path embedded;

    @Option(names = "--yes", description = "Run proposed writes without asking (they are still shown).")
    boolean yes;

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Parameters(paramLabel = "REQUEST", arity = "1..*", description = "What you want, e.g. \"delete ivan if he is younger than 30\".")
    List<String> request;

    public AiCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (embedded != null) {
            ConnectionOptions.refuseServerOptionsWith(spec.commandLine(), "qrrot ai", "--embedded");
        }
        String badUrl = ai.environmentBaseUrlProblem(ctx.env());
        if (badUrl != null) {
            ctx.err().println("qrrot ai: " + badUrl);
            return CommandLine.ExitCode.USAGE;
        }
        AgentConfig agent = ai.resolve(ctx.env());
        if (agent == null) {
            ctx.err().println(AgentConfig.NO_KEY_MESSAGE);
            return 1;
        }
        StreamUi ui = new StreamUi(ctx.out(), ctx.err(), ctx.in(), ctx.interactive(), yes);
        String text = String.join(" ", request);
        AgentOutcome o;
        int closeFailed = 0;
        if (embedded == null) {
            o = AgentRunner.run(agent, connection.config(ctx.env(), false), text, ui);
        } else {
            Qrrot db = EmbeddedDatabase.open(ctx, "qrrot ai", embedded, null, false);
            if (db == null) {
                return 1;
            }
            try {
                o = AgentRunner.runEmbedded(agent, db, text, ui);
            } finally {
                closeFailed = EmbeddedDatabase.close(ctx, "qrrot ai", db) ? 0 : 1;
            }
        }
        // qrrot's own closing line: the results' summary on stdout, anything else (what failed, or why nothing
        // was written) on stderr.
        if (!o.message().isEmpty()) {
            (o.exitCode() == 0 ? ctx.out() : ctx.err()).println(o.message());
        }
        ctx.out().flush();
        // A data directory that did not close cleanly is a failure whatever the request's outcome.
        return closeFailed != 0 ? 1 : o.exitCode();
    }
}
