package io.qrrot.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * Everything a command takes from its surroundings, so tests can run the real commands in-process: the
 * standard streams, the environment, whether a person is at a terminal, the home directory (history file)
 * and how to open the REPL's terminal.
 *
 * @param in          standard input
 * @param out         standard output: results only
 * @param err         standard error: progress, prompts of the one-shot commands, errors
 * @param env         environment variables
 * @param interactive true when stdin and stdout are a terminal (a person can answer a question)
 * @param home        the user's home directory
 * @param terminals   opens the REPL's terminal
 * @param databases   opens a data directory in this process (the embedded mode)
 */
public record CliContext(InputStream in, PrintStream out, PrintStream err, Map<String, String> env,
                         boolean interactive, Path home, TerminalFactory terminals, DatabaseOpener databases) {

    /** A context that opens data directories with {@link DatabaseOpener#DURABLE}. */
    public CliContext(InputStream in, PrintStream out, PrintStream err, Map<String, String> env,
                      boolean interactive, Path home, TerminalFactory terminals) {
        this(in, out, err, env, interactive, home, terminals, DatabaseOpener.DURABLE);
    }

    /** The same context opening data directories with {@code opener}. */
    public CliContext withDatabases(DatabaseOpener opener) {
        return new CliContext(in, out, err, env, interactive, home, terminals, opener);
    }

    /** Opens a terminal for the REPL. */
    @FunctionalInterface
    public interface TerminalFactory {
        Terminal open() throws IOException;
    }

    /** The real process: System streams and environment, the system terminal. */
    public static CliContext system() {
        return new CliContext(System.in, System.out, System.err, System.getenv(), System.console() != null,
                Path.of(System.getProperty("user.home")),
                // dumb(true): without a terminal (input piped in) fall back to a plain one quietly.
                () -> TerminalBuilder.builder().name("qrrot").system(true).dumb(true).build());
    }
}
