package io.qrrot.cli.client;

import io.qrrot.cli.CliContext;
import io.qrrot.cli.ai.AgentConfig;
import io.qrrot.cli.ai.AgentOutcome;
import io.qrrot.cli.ai.AgentUi;
import io.qrrot.cli.embedded.EmbeddedDatabase;
import io.qrrot.cli.embedded.EmbeddedSession;
import io.qrrot.cli.render.ReplyFormat;
import io.qrrot.cli.repl.Repl;
import io.qrrot.cli.resp.Reply;
import io.qrrot.cli.resp.RespConfig;
import io.qrrot.cli.resp.RespException;
import io.qrrot.recovery.Qrrot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jline.terminal.Terminal;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code qrrot cli}: the REPL, or one command when one is given. */
@Command(name = "cli", sortOptions = false,
        description = {"A client for a qrrot (or any Redis-protocol) server, or for a data directory opened in this "
                + "process (--embedded).",
                "Without COMMAND: an interactive prompt with history ($HOME/.qrrot_history), completion, hints and the "
                        + "AI agent (type help). With COMMAND: runs it and prints the reply (raw when stdout is not "
                        + "a terminal, as redis-cli prints it).",
                "Exit status: 0 ok, 1 error reply or connection failure, 2 usage."})
public final class ClientCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = {"-c", "--cluster"},
            description = "Cluster mode, as redis-cli -c: follow -MOVED and -ASK redirections to the node they name "
                    + "(same password and options) and send the command there, printing \"-> Redirected to slot [N] "
                    + "located at HOST:PORT\" (at the prompt; on stderr for one COMMAND); at most "
                    + ClientSession.MAX_REDIRECTS + " redirections per command.")
    boolean cluster;

    @Option(names = "--embedded", paramLabel = "DIR",
            description = "Open the data directory DIR in this process instead of connecting to a server (no server "
                    + "may have it open).")
    Path embedded;

    @Option(names = "--create", description = "With --embedded: make a new data directory at DIR if it is missing "
            + "or an empty directory.")
    boolean create;

    @ArgGroup(exclusive = true)
    Output output = new Output();

    @Mixin
    AiOptions ai;

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "A command and its arguments, e.g. SET k v.")
    List<String> command = new ArrayList<>();

    static final class Output {
        @Option(names = "--raw", description = "Print replies raw (strings as they are, no types), as redis-cli --raw "
                + "does; the default when stdout is not a terminal.")
        boolean raw;

        @Option(names = "--no-raw", description = "Print replies as at a terminal (\"quoted\", (integer) …) even when "
                + "stdout is not one.")
        boolean noRaw;

        @Option(names = "--json", description = "Print each reply as one JSON document (RESP3 is asked for).")
        boolean json;
    }

    public ClientCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        ReplyFormat format = output.json ? ReplyFormat.json()
                : output.raw || !output.noRaw && !ctx.outTerminal() ? ReplyFormat.raw()
                : ReplyFormat.standard();
        RespConfig config = connection.config(ctx.env(), output.json);
        if (embedded == null) {
            if (create) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "qrrot cli: --create goes with --embedded DIR (it makes a new data directory there)");
            }
            try (ClientSession session = new ClientSession(config, cluster)) {
                if (!command.isEmpty()) {
                    session.onRedirect(line -> ctx.err().println(line));
                }
                return command.isEmpty()
                        ? repl(session, format, (agent, request, ui) -> AgentRunner.run(agent, config, request, ui))
                        : oneShot(session, format);
            }
        }
        ConnectionOptions.refuseServerOptionsWith(spec.commandLine(), "qrrot cli", "--embedded");
        if (cluster) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "qrrot cli: --embedded DIR opens a data directory, -c follows a server cluster's redirections: "
                            + "give one or the other");
        }
        Qrrot db = EmbeddedDatabase.open(ctx, "qrrot cli", embedded, "--create", create);
        if (db == null) {
            return 1;
        }
        int exit;
        try (EmbeddedSession session = new EmbeddedSession(db, "embedded:" + embedded, config.resp3() ? 3 : 2)) {
            exit = command.isEmpty()
                    ? repl(session, format, (agent, request, ui) -> AgentRunner.runEmbedded(agent, db, request, ui))
                    : oneShot(session, format);
        } finally {
            if (!EmbeddedDatabase.close(ctx, "qrrot cli", db)) {
                exit = 1;
            }
        }
        return exit;
    }

    /** Runs one agent request against the session's database. */
    @FunctionalInterface
    private interface AgentRun {
        AgentOutcome run(AgentConfig agent, String request, AgentUi ui);
    }

    private int oneShot(CommandSession session, ReplyFormat format) {
        List<byte[]> args = new ArrayList<>(command.size());
        for (String a : command) {
            args.add(a.getBytes(StandardCharsets.UTF_8));
        }
        try {
            session.connect();
            Reply reply = session.call(args);
            ctx.out().write(format.format(args, reply));
            ctx.out().flush();
            return reply.isError() ? 1 : 0;
        } catch (RespException e) {
            if (e instanceof RespException.Closed && isShutdown(args)) {
                return 0; // the server stopped: SHUTDOWN's success has no reply (redis-cli treats it so)
            }
            ctx.err().println(e.getMessage());
            return 1;
        } catch (IOException e) {
            ctx.err().println("could not write the reply: " + e.getMessage());
            return 1;
        }
    }

    /** True for a SHUTDOWN command, whose success is the connection closing without a reply. */
    public static boolean isShutdown(List<byte[]> args) {
        return !args.isEmpty() && new String(args.get(0), StandardCharsets.UTF_8).equalsIgnoreCase("SHUTDOWN");
    }

    private int repl(CommandSession session, ReplyFormat format, AgentRun agent) {
        Path history = historyFile();
        try (Terminal terminal = ctx.terminals().open()) {
            if (session instanceof ClientSession client) {
                client.onRedirect(line -> {
                    terminal.writer().println(line);
                    terminal.writer().flush();
                });
            }
            Repl repl = new Repl(terminal, session, format, history, (request, ui) -> {
                AgentConfig settings = ai.resolve(ctx.env());
                if (settings == null) {
                    ui.say(AgentConfig.NO_KEY_MESSAGE);
                    return;
                }
                AgentOutcome o = agent.run(settings, request, ui);
                if (!o.message().isEmpty()) {
                    ui.say(o.message());
                }
            });
            return repl.run();
        } catch (IOException e) {
            ctx.err().println("could not open the terminal: " + e.getMessage());
            return 1;
        }
    }

    /** {@code QRROT_HISTFILE}, else {@code $HOME/.qrrot_history}. */
    private Path historyFile() {
        String env = ctx.env().get("QRROT_HISTFILE");
        return env != null && !env.isBlank() ? Path.of(env) : ctx.homeDirectory().resolve(".qrrot_history");
    }
}
