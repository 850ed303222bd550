package io.qrrot.cli.testing;

import io.qrrot.cli.CliContext;
import io.qrrot.cli.DatabaseOpener;
import io.qrrot.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Runs the real {@code qrrot} command line in this JVM with captured streams and a given environment. */
public final class CliRun {
    private final Map<String, String> env = new HashMap<>();
    private InputStream in = new ByteArrayInputStream(new byte[0]);
    private boolean interactive;
    private boolean outTerminal = true;
    private Path home = Path.of(System.getProperty("java.io.tmpdir"));
    private boolean mergeOutput;
    private DatabaseOpener databases = DatabaseOpener.DURABLE;

    public record Result(int exit, String out, String err) {
    }

    public CliRun env(String name, String value) {
        env.put(name, value);
        return this;
    }

    public CliRun stdin(String text) {
        this.in = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    public CliRun stdin(InputStream in) {
        this.in = in;
        return this;
    }

    /** As if a person sat at a terminal (confirmation questions are asked). */
    public CliRun interactive() {
        this.interactive = true;
        return this;
    }

    /** stdout is a pipe (by default it counts as a terminal: replies print quoted, as redis-cli's at one). */
    public CliRun piped() {
        this.outTerminal = false;
        return this;
    }

    /** How {@code --embedded} opens a data directory (default: the real durable database). */
    public CliRun databases(DatabaseOpener opener) {
        this.databases = opener;
        return this;
    }

    public CliRun home(Path home) {
        this.home = home;
        return this;
    }

    /** stdout and stderr into one stream, interleaved as a person would see them (for transcripts). */
    public CliRun merged() {
        this.mergeOutput = true;
        return this;
    }

    public Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = mergeOutput ? out : new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = mergeOutput ? o : new PrintStream(err, true, StandardCharsets.UTF_8);
        CliContext ctx = new CliContext(in, o, e, Map.copyOf(env), interactive, outTerminal, home, () -> {
            throw new IllegalStateException("no terminal in this test");
        }, databases);
        int exit = Main.run(ctx, args);
        o.flush();
        e.flush();
        return new Result(exit, out.toString(StandardCharsets.UTF_8),
                mergeOutput ? "" : err.toString(StandardCharsets.UTF_8));
    }
}
