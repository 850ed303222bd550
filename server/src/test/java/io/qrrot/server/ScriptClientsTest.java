package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.qrrot.recovery.Qrrot;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients in other languages against a running server: {@code src/test/resources/clients/hashes_sets.py}
 * (redis-py, RESP2: the Debian package python3-redis, 4.3.4 on Debian 12, has no RESP3) and
 * {@code hashes_sets.js} (ioredis {@value #IOREDIS}, RESP2 only) each run hashes, sets, sorted sets, a transaction,
 * WATCH on a hash and Pub/Sub; {@code lists.py} and {@code lists.js} run lists (pushes and pops with counts, the
 * range, index, insert, remove, trim, position, move and multi-pop commands), blocking pops woken by another
 * connection's push and by a transaction, first blocked first served, timeouts, a transaction and WATCH on a list.
 * Each script runs against the port given to it and exits 0 only when every check held.
 *
 * <p>A client that is not there skips its test with the reason: redis-py is looked for with {@code python3}
 * from the PATH and {@code /usr/bin/python3} (where Debian's package puts it; {@code .ci/run} installs it);
 * ioredis is installed by this test with {@code npm} into {@code target/node-clients/} the first time and
 * reused after that, and a missing node or npm, or an install that fails (no registry, say), skips.
 */
@Tag("integration")
class ScriptClientsTest {
    /** The ioredis version the script runs with, pinned. */
    static final String IOREDIS = "5.11.1";
    private static final long SCRIPT_TIMEOUT_SECONDS = 30;
    private static final long NPM_TIMEOUT_SECONDS = 90;

    @TempDir
    static Path dir;
    private static Qrrot db;
    private static QrrotServer server;

    @BeforeAll
    static void start() throws Exception {
        db = TestBackends.open(dir.resolve("db"));
        server = TestBackends.start(db, TestBackends.options());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        TestBackends.close(db);
    }

    @Test
    void redisPy() throws Exception {
        runRedisPy("hashes_sets.py");
    }

    @Test
    void redisPyLists() throws Exception {
        runRedisPy("lists.py");
    }

    @Test
    void ioredis() throws Exception {
        runIoredis("hashes_sets.js");
    }

    @Test
    void ioredisLists() throws Exception {
        runIoredis("lists.js");
    }

    private static void runRedisPy(String name) throws Exception {
        List<String> tried = new ArrayList<>();
        String python = null;
        for (String candidate : new String[] {"python3", "/usr/bin/python3"}) {
            Result r = run(List.of(candidate, "-c", "import redis; print(redis.__version__)"), Map.of(), 20);
            if (r.exit == 0) {
                python = candidate;
                break;
            }
            tried.add(candidate + ": " + r.output.strip().lines().reduce((a, b) -> b).orElse("exit " + r.exit));
        }
        assumeTrue(python != null, "redis-py is not available (Debian: apt-get install python3-redis); tried "
                + String.join("; ", tried));
        Result r = run(List.of(python, script(name).toString(), Integer.toString(server.port())),
                Map.of("PYTHONDONTWRITEBYTECODE", "1"), SCRIPT_TIMEOUT_SECONDS);
        assertEquals(0, r.exit, name + " failed; its output:\n" + r.output);
    }

    private static void runIoredis(String name) throws Exception {
        assumeTrue(run(List.of("node", "--version"), Map.of(), 20).exit == 0, "node is not available");
        Path modules = ioredisModules();
        Result r = run(List.of("node", script(name).toString(), Integer.toString(server.port())),
                Map.of("NODE_PATH", modules.toString()), SCRIPT_TIMEOUT_SECONDS);
        assertEquals(0, r.exit, name + " failed; its output:\n" + r.output);
    }

    /**
     * The node_modules folder holding ioredis {@value #IOREDIS}, installed with npm on first use under
     * {@code target/node-clients/}: into a fresh folder first, then renamed into place, so that an install
     * cut short is never taken for a complete one.
     */
    private static Path ioredisModules() throws Exception {
        // the script is target/test-classes/clients/hashes_sets.js
        Path target = script("hashes_sets.js").getParent().getParent().getParent();
        Path home = target.resolve("node-clients").resolve("ioredis-" + IOREDIS);
        Path modules = home.resolve("node_modules");
        if (installed(modules)) {
            return modules;
        }
        Result npm = run(List.of("npm", "--version"), Map.of(), 20);
        assumeTrue(npm.exit == 0, "npm is not available to install ioredis: " + npm.output.strip());
        deleteTree(home); // an install of another version, or something left behind
        Files.createDirectories(home.getParent());
        Path staging = Files.createTempDirectory(home.getParent(), "install-");
        try {
            Result install = run(List.of("npm", "install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund",
                    "--loglevel=error", "--fetch-retries=1", "--fetch-timeout=30000", "--prefix", staging.toString(),
                    "ioredis@" + IOREDIS), Map.of(), NPM_TIMEOUT_SECONDS);
            assumeTrue(install.exit == 0 && installed(staging.resolve("node_modules")),
                    "npm could not install ioredis@" + IOREDIS + " (exit " + install.exit + "):\n" + install.output);
            try {
                Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!installed(modules)) { // else another run installed it meanwhile
                    throw e;
                }
            }
        } finally {
            deleteTree(staging);
        }
        return modules;
    }

    private static boolean installed(Path modules) throws IOException {
        Path pkg = modules.resolve("ioredis").resolve("package.json");
        return Files.isRegularFile(pkg)
                && Files.readString(pkg).contains("\"version\": \"" + IOREDIS + "\"");
    }

    private static Path script(String name) throws URISyntaxException {
        java.net.URL url = ScriptClientsTest.class.getResource("/clients/" + name);
        if (url == null) {
            throw new AssertionError("no test resource clients/" + name);
        }
        return Path.of(url.toURI());
    }

    private record Result(int exit, String output) {
    }

    /** Runs a command with its output (stdout and stderr) to a file; exit -1 when it could not start. */
    private static Result run(List<String> command, Map<String, String> env, long timeoutSeconds)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out-", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Result(-1, String.join(" ", command) + ": " + e.getMessage());
        }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            return new Result(-2, Files.readString(out, StandardCharsets.UTF_8) + "\n[timed out after "
                    + timeoutSeconds + " s: " + String.join(" ", command) + "]");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
