package io.qrrot.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.terminal.impl.exec.ExecTerminalProvider;
import org.jline.terminal.spi.SystemStream;

/**
 * Everything a command takes from its surroundings, so tests can run the real commands in-process: the
 * standard streams, the environment, whether a person is at a terminal, whether stdout is one, the home
 * directory (history file) and how to open the REPL's terminal.
 *
 * @param in          standard input
 * @param out         standard output: results only
 * @param err         standard error: progress, prompts of the one-shot commands, errors
 * @param env         environment variables
 * @param interactive true when stdin and stdout are a terminal (a person can answer a question)
 * @param outTerminal true when stdout is a terminal: replies print as redis-cli prints them at one (quoted),
 *                    else raw, as redis-cli prints them into a pipe or a file
 * @param home        the user's home directory when the environment has no {@code HOME}
 * @param terminals   opens the REPL's terminal
 * @param databases   opens a data directory in this process (the embedded mode)
 */
public record CliContext(InputStream in, PrintStream out, PrintStream err, Map<String, String> env,
                         boolean interactive, boolean outTerminal, Path home, TerminalFactory terminals,
                         DatabaseOpener databases) {

    /** A context that opens data directories with {@link DatabaseOpener#DURABLE}. */
    public CliContext(InputStream in, PrintStream out, PrintStream err, Map<String, String> env,
                      boolean interactive, boolean outTerminal, Path home, TerminalFactory terminals) {
        this(in, out, err, env, interactive, outTerminal, home, terminals, DatabaseOpener.DURABLE);
    }

    /** The same context opening data directories with {@code opener}. */
    public CliContext withDatabases(DatabaseOpener opener) {
        return new CliContext(in, out, err, env, interactive, outTerminal, home, terminals, opener);
    }

    /** The home directory: {@code HOME} from the environment, else {@link #home()}. */
    public Path homeDirectory() {
        String h = env.get("HOME");
        return h != null && !h.isBlank() ? Path.of(h) : home;
    }

    /** Opens a terminal for the REPL. */
    @FunctionalInterface
    public interface TerminalFactory {
        Terminal open() throws IOException;
    }

    /** The real process: System streams and environment, the system terminal. */
    public static CliContext system() {
        boolean console = System.console() != null;
        return new CliContext(System.in, System.out, System.err, System.getenv(), console,
                console || stdoutIsTerminal(), Path.of(System.getProperty("user.home")),
                // dumb(true): without a terminal (input piped in) fall back to a plain one quietly.
                () -> TerminalBuilder.builder().name("qrrot").system(true).dumb(true).build());
    }

    /**
     * Whether file descriptor 1 is a terminal, as redis-cli's {@code isatty(fileno(stdout))}. Java 17 answers
     * it only for stdin and stdout together ({@link System#console()}); this asks {@code test -t 1}, which
     * inherits this process's stdout.
     */
    private static boolean stdoutIsTerminal() {
        try {
            return new ExecTerminalProvider().isSystemStream(SystemStream.Output);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
