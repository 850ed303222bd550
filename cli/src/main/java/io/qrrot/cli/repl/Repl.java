package io.qrrot.cli.repl;

import io.qrrot.cli.ai.AgentUi;
import io.qrrot.cli.client.ClientCommand;
import io.qrrot.cli.client.CommandSession;
import io.qrrot.cli.help.CommandCatalog;
import io.qrrot.cli.help.CommandHelp;
import io.qrrot.cli.render.ReplyFormat;
import io.qrrot.cli.resp.Reply;
import io.qrrot.cli.resp.RespException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.LineReaderImpl;
import org.jline.terminal.Terminal;
import org.jline.utils.InfoCmp;

/**
 * The interactive client: reads a line, runs it, prints the reply as redis-cli would. Besides server
 * commands it knows {@code help}, {@code ai <request>}, {@code clear} and {@code quit}/{@code exit}.
 * Single-threaded.
 */
public final class Repl {

    /** Runs the agent for {@code ai <request>}; prints through {@code ui}. */
    @FunctionalInterface
    public interface AiHandler {
        void ask(String request, AgentUi ui);
    }

    private final Terminal terminal;
    private final CommandSession session;
    private final ReplyFormat format;
    private final Path historyFile;
    private final AiHandler ai;
    private volatile CommandCatalog catalog = CommandCatalog.builtin();

    public Repl(Terminal terminal, CommandSession session, ReplyFormat format, Path historyFile, AiHandler ai) {
        this.terminal = terminal;
        this.session = session;
        this.format = format;
        this.historyFile = historyFile;
        this.ai = ai;
    }

    /** Runs until {@code quit}, {@code exit} or end of input. */
    public int run() {
        PrintWriter out = terminal.writer();
        try {
            session.connect();
        } catch (RespException e) {
            out.println(e.getMessage());
        }
        loadCommandDocs();
        LineReader reader = buildReader();
        try {
            while (true) {
                String line;
                try {
                    line = reader.readLine(session.prompt());
                } catch (UserInterruptException e) {
                    continue; // Ctrl-C drops the line being typed, as in a shell
                } catch (EndOfFileException e) {
                    break;
                }
                if (!handle(line, reader)) {
                    break;
                }
            }
        } finally {
            try {
                reader.getHistory().save();
                restrictToOwner(historyFile);
            } catch (IOException e) {
                out.println("could not save the history to " + historyFile + ": " + e.getMessage());
            }
            out.flush();
        }
        return 0;
    }

    LineReader buildReader() {
        LineReader reader = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("qrrot")
                .parser(new ReplParser())
                .completer(new CommandCompleter(() -> catalog))
                .history(new ReplHistory())
                .variable(LineReader.HISTORY_FILE, historyFile)
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, "... ")
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .option(LineReader.Option.CASE_INSENSITIVE, true)
                .option(LineReader.Option.HISTORY_IGNORE_SPACE, false)
                .build();
        if (reader instanceof LineReaderImpl impl && !Terminal.TYPE_DUMB.equals(terminal.getType())
                && !Terminal.TYPE_DUMB_COLOR.equals(terminal.getType())) {
            Hints.install(impl, () -> catalog, () -> session.prompt().length());
        }
        return reader;
    }

    /** The history holds whatever was typed, values included: only its owner may read it. */
    private static void restrictToOwner(Path file) throws IOException {
        if (Files.exists(file) && Files.getFileStore(file).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
    }

    /** Handles one accepted line; false ends the REPL. */
    boolean handle(String line, LineReader reader) {
        PrintWriter out = terminal.writer();
        ArgSplitter.Result split = ArgSplitter.split(line);
        if (split.error() != null) {
            out.println(split.error());
            out.flush();
            return true;
        }
        if (split.tokens().isEmpty()) {
            return true;
        }
        List<String> words = split.words();
        String first = words.get(0).toLowerCase(Locale.ROOT);
        switch (first) {
            case "quit", "exit" -> {
                return false;
            }
            case "help", "?" -> out.print(HelpText.help(words.subList(1, words.size()), catalog).toAnsi(terminal));
            case "clear" -> terminal.puts(InfoCmp.Capability.clear_screen);
            case "ai" -> {
                String request = line.substring(split.tokens().get(0).end()).strip();
                if (request.isEmpty()) {
                    out.println("usage: ai <request in plain words>, e.g. ai how many keys start with user: ?");
                } else {
                    out.flush();
                    ai.ask(request, new ReplAgentUi(reader));
                }
            }
            case "subscribe", "psubscribe", "ssubscribe", "monitor", "sync", "psync" ->
                    out.println("(error) " + words.get(0).toUpperCase(Locale.ROOT) + " streams replies without end, which "
                            + "this client does not support");
            default -> execute(split.args(), out);
        }
        out.flush();
        return true;
    }

    private void execute(List<byte[]> args, PrintWriter out) {
        try {
            Reply reply = session.call(args);
            out.print(new String(format.format(args, reply), StandardCharsets.UTF_8));
        } catch (RespException e) {
            if (!(e instanceof RespException.Closed && ClientCommand.isShutdown(args))) {
                out.println(e.getMessage()); // after SHUTDOWN the server is gone: the prompt says "not connected"
            }
        }
    }

    /** Extends the built-in command list with the server's COMMAND DOCS, when it answers them. */
    void loadCommandDocs() {
        if (!session.isConnected()) {
            return;
        }
        try {
            List<CommandHelp> docs = session.commandDocs();
            if (!docs.isEmpty()) {
                catalog = catalog.merge(CommandCatalog.of(docs));
            }
        } catch (RespException e) {
            terminal.writer().println(e.getMessage());
        }
    }

    CommandCatalog catalog() {
        return catalog;
    }
}
