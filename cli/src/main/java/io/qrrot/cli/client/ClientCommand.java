package io.qrrot.cli.client;

import io.qrrot.cli.CliContext;
import io.qrrot.cli.ai.AgentConfig;
import io.qrrot.cli.ai.AgentOutcome;
import io.qrrot.cli.render.ReplyFormat;
import io.qrrot.cli.repl.Repl;
import io.qrrot.cli.resp.Reply;
import io.qrrot.cli.resp.RespConfig;
import io.qrrot.cli.resp.RespConnection;
import io.qrrot.cli.resp.RespException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jline.terminal.Terminal;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code qrrot cli}: the REPL, or one command when one is given. */
@Command(name = "cli", sortOptions = false,
        description = {"A client for a qrrot (or any Redis-protocol) server.",
                "Without COMMAND: an interactive prompt with history (~/.qrrot_history), completion, hints and the "
                        + "AI agent (type help). With COMMAND: runs it and prints the reply.",
                "Exit status: 0 ok, 1 error reply or connection failure, 2 usage."})
public final class ClientCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Mixin
    ConnectionOptions connection;

    @ArgGroup(exclusive = true)
    Output output = new Output();

    @Mixin
    AiOptions ai;

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "A command and its arguments, e.g. SET k v.")
    List<String> command = new ArrayList<>();

    static final class Output {
        @Option(names = "--raw", description = "Print replies as redis-cli --raw does.")
        boolean raw;

        @Option(names = "--json", description = "Print each reply as one JSON document (RESP3 is asked for).")
        boolean json;
    }

    public ClientCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        ReplyFormat format = output.json ? ReplyFormat.json() : output.raw ? ReplyFormat.raw() : ReplyFormat.standard();
        RespConfig config = connection.config(ctx.env(), output.json);
        return command.isEmpty() ? repl(config, format) : oneShot(config, format);
    }

    private int oneShot(RespConfig config, ReplyFormat format) {
        List<byte[]> args = new ArrayList<>(command.size());
        for (String a : command) {
            args.add(a.getBytes(StandardCharsets.UTF_8));
        }
        try (RespConnection conn = RespConnection.open(config)) {
            Reply reply = conn.call(args);
            ctx.out().write(format.format(reply));
            ctx.out().flush();
            return reply.isError() ? 1 : 0;
        } catch (RespException e) {
            ctx.err().println(e.getMessage());
            return 1;
        } catch (IOException e) {
            ctx.err().println("could not write the reply: " + e.getMessage());
            return 1;
        }
    }

    private int repl(RespConfig config, ReplyFormat format) {
        Path history = historyFile();
        try (Terminal terminal = ctx.terminals().open(); ClientSession session = new ClientSession(config)) {
            Repl repl = new Repl(terminal, session, format, history, (request, ui) -> {
                AgentConfig agent = ai.resolve(ctx.env());
                if (agent == null) {
                    ui.say(AgentConfig.NO_KEY_MESSAGE);
                    return;
                }
                AgentOutcome o = AgentRunner.run(agent, config, request, ui);
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

    /** {@code QRROT_HISTFILE}, else {@code ~/.qrrot_history}. */
    private Path historyFile() {
        String env = ctx.env().get("QRROT_HISTFILE");
        return env != null && !env.isBlank() ? Path.of(env) : ctx.home().resolve(".qrrot_history");
    }
}
