package io.qrrot.cli.testing;

import io.qrrot.cli.embedded.EmbeddedClient;
import io.qrrot.cli.resp.Reply;
import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.QrrotOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The database an end-to-end test of the command line runs against, so one test class covers both modes: a
 * real redis-server reached over the network ({@code -p PORT}), or a qrrot data directory opened in the
 * test's JVM and handed to {@code --embedded DIR} runs (see {@link SharedQrrot}).
 */
public abstract class TestDatabase implements AutoCloseable {

    /** Which database. */
    public enum Kind { REDIS, EMBEDDED }

    /** What a run prints when it cannot reach the database. */
    public record Unreachable(List<String> target, String error) {
    }

    public static TestDatabase start(Kind kind) throws Exception {
        return kind == Kind.REDIS ? new Redis(RedisServer.start()) : Embedded.open();
    }

    public abstract Kind kind();

    /** The options that point {@code qrrot cli|ai} at this database. */
    public abstract List<String> target();

    /** A command line run that can reach this database. */
    public abstract CliRun cli();

    /** Runs one command as another client would (its own connection or session). */
    public abstract Reply call(String... args) throws Exception;

    /** Forgets the per-command call counts. */
    public abstract void resetCalls() throws Exception;

    /** How many times {@code command} ran since {@link #resetCalls}. */
    public abstract long calls(String command) throws Exception;

    /** A target that a plain {@link CliRun} cannot reach, and the error {@code qrrot ai} names it with. */
    public abstract Unreachable unreachable() throws Exception;

    /** A real redis-server. */
    private static final class Redis extends TestDatabase {
        private static final Pattern CALLS = Pattern.compile("cmdstat_(\\S+?):calls=(\\d+),");
        private final RedisServer server;

        Redis(RedisServer server) {
            this.server = server;
        }

        @Override
        public Kind kind() {
            return Kind.REDIS;
        }

        @Override
        public List<String> target() {
            return List.of("-p", Integer.toString(server.port()));
        }

        @Override
        public CliRun cli() {
            return new CliRun();
        }

        @Override
        public Reply call(String... args) throws Exception {
            return server.call(args);
        }

        @Override
        public void resetCalls() throws Exception {
            server.call("CONFIG", "RESETSTAT");
        }

        @Override
        public long calls(String command) throws Exception {
            Matcher m = CALLS.matcher(((Reply.BulkString) server.call("INFO", "commandstats")).utf8());
            while (m.find()) {
                if (m.group(1).equalsIgnoreCase(command)) {
                    return Long.parseLong(m.group(2));
                }
            }
            return 0;
        }

        @Override
        public Unreachable unreachable() throws Exception {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            return new Unreachable(List.of("-p", Integer.toString(port)),
                    "could not connect to 127.0.0.1:" + port + ": Connection refused; nothing was written\n");
        }

        @Override
        public void close() throws Exception {
            server.close();
        }
    }

    /** A qrrot data directory held open by the test; every {@code --embedded} run shares it. */
    private static final class Embedded extends TestDatabase {
        private final Path dir;
        private final DurableQrrot db;
        private final SharedQrrot shared;

        private Embedded(Path dir, DurableQrrot db) {
            this.dir = dir;
            this.db = db;
            this.shared = new SharedQrrot(db);
        }

        static Embedded open() throws IOException {
            Path dir = Files.createTempDirectory("qrrot-embedded-");
            return new Embedded(dir, DurableQrrot.open(dir.resolve("data"), QrrotOptions.defaults()));
        }

        @Override
        public Kind kind() {
            return Kind.EMBEDDED;
        }

        @Override
        public List<String> target() {
            return List.of("--embedded", dir.resolve("data").toString());
        }

        @Override
        public CliRun cli() {
            return new CliRun().databases(shared.opener());
        }

        @Override
        public Reply call(String... args) {
            try (EmbeddedClient c = new EmbeddedClient(db, 2)) {
                return c.call(args);
            }
        }

        @Override
        public void resetCalls() {
            shared.resetCalls();
        }

        @Override
        public long calls(String command) {
            return shared.calls(command);
        }

        /** The real opener on the directory the test holds open: the lock refuses it. */
        @Override
        public Unreachable unreachable() {
            Path data = dir.resolve("data");
            return new Unreachable(List.of("--embedded", data.toString()), "qrrot ai: cannot open " + data
                    + ": data directory " + data + " is in use by another qrrot process (pid "
                    + ProcessHandle.current().pid() + ") (lock file " + data.resolve("LOCK")
                    + "); stop that process or choose another directory\n");
        }

        @Override
        public void close() throws Exception {
            db.close();
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
