package io.qrrot.server.memcached;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.QrrotOptions;
import io.qrrot.server.QrrotServer;
import io.qrrot.server.ServerOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real memcached clients against a served database with a memcached port:
 * <ul>
 * <li>pymemcache (Debian: python3-pymemcache) runs {@code src/test/resources/clients/memcached_pymemcache.py},
 * once on the memcached port and once on the main port (where the server detects memcached by the first line);
 * the script also checks the keyspace from redis-py (Debian: python3-redis): a memcached item is a Redis string,
 * a Redis string is an item with flags 0, and a Redis SET over an item leaves flags 0;</li>
 * <li>libmemcached's command-line tools (Debian: libmemcached-tools) over the text protocol: memccp and memccat
 * (a binary file with NULs and CRLFs comes back byte for byte, with its flags), memcexist, memctouch, memcrm,
 * memcstat, memcflush;</li>
 * <li>memccapable, libmemcached's protocol conformance tool, its ASCII tests ({@code -a}): every one passes
 * (memcached 1.6.18 passes all of them too).</li>
 * </ul>
 * A missing client fails the test with the Debian package that provides it. The tests run one at a time against
 * one server; the pymemcache script and memccapable flush the whole database.
 */
@Tag("integration")
class MemcachedClientsTest {
    private static final long TIMEOUT_SECONDS = 60;
    private static final String PYTHON_PACKAGES = "Debian: apt-get install python3-pymemcache python3-redis";
    private static final String TOOLS_PACKAGE = "Debian: apt-get install libmemcached-tools";

    @TempDir
    static Path dir;
    private static DurableQrrot db;
    private static QrrotServer server;

    @BeforeAll
    static void start() throws Exception {
        db = DurableQrrot.open(dir.resolve("db"), QrrotOptions.defaults().withShards(8));
        server = new QrrotServer(db, ServerOptions.defaults().withPort(0).withMemcachedPort(0).withIoThreads(2)
                .withShutdownTimeoutMillis(5000)).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (db != null) {
            db.close();
        }
    }

    // ------------------------------------------------------------------ pymemcache and redis-py

    @Test
    void pymemcacheOnTheMemcachedPort() throws Exception {
        runPymemcache(server.memcachedPort(), "mcport:");
    }

    @Test
    void pymemcacheOnTheMainPortIsDetected() throws Exception {
        runPymemcache(server.port(), "mainport:");
    }

    private static void runPymemcache(int port, String prefix) throws Exception {
        String python = python();
        Result r = run(List.of(python, script("memcached_pymemcache.py").toString(), Integer.toString(port),
                Integer.toString(server.port()), prefix), Map.of("PYTHONDONTWRITEBYTECODE", "1"));
        assertEquals(0, r.exit, "memcached_pymemcache.py on port " + port + " failed; its output:\n" + r.output);
        assertEquals("ok", r.output.strip(), "the script's output");
    }

    /** A python3 that imports both pymemcache and redis: the one on the PATH, else Debian's. */
    private static String python() throws Exception {
        List<String> tried = new ArrayList<>();
        for (String candidate : new String[] {"python3", "/usr/bin/python3"}) {
            Result r = run(List.of(candidate, "-c", "import pymemcache, redis"), Map.of());
            if (r.exit == 0) {
                return candidate;
            }
            tried.add(candidate + ": " + r.output.strip().lines().reduce((a, b) -> b).orElse("exit " + r.exit));
        }
        throw new AssertionError("pymemcache and redis-py are needed (" + PYTHON_PACKAGES + "); tried "
                + String.join("; ", tried));
    }

    // ------------------------------------------------------------------ libmemcached's tools

    @Test
    void libmemcachedToolsCopyCatExistTouchRemoveStatsFlush() throws Exception {
        String servers = "--servers=127.0.0.1:" + server.memcachedPort();
        Path work = Files.createTempDirectory(dir, "tools-");
        byte[] content = new byte[70_000];
        new Random(7).nextBytes(content);
        byte[] tricky = "\r\nEND\r\n\0\0VALUE x 0 1\r\n\r\n.\r\n\0".getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(tricky, 0, content, 0, tricky.length);
        System.arraycopy(tricky, 0, content, 35_000, tricky.length);
        System.arraycopy(tricky, 0, content, content.length - tricky.length, tricky.length);
        Files.write(work.resolve("blob.bin"), content);

        // memccp stores the file under its name (relative to the working directory) with the flags given
        Result cp = tool(work, "memccp", servers, "--flags=4242", "blob.bin");
        assertEquals(0, cp.exit, "memccp: " + cp.output);
        Result cat = tool(work, "memccat", servers, "--file=back.bin", "blob.bin");
        assertEquals(0, cat.exit, "memccat: " + cat.output);
        assertArrayEquals(content, Files.readAllBytes(work.resolve("back.bin")), "memccat gave back other bytes");
        Result flags = tool(work, "memccat", servers, "--flags", "--file=back2.bin", "blob.bin");
        assertEquals(0, flags.exit, "memccat --flags: " + flags.output);
        // with --file, memccat writes the flags line into the file, in front of the bytes
        byte[] withFlags = Files.readAllBytes(work.resolve("back2.bin"));
        assertEquals("4242\n", new String(withFlags, 0, 5, StandardCharsets.ISO_8859_1), "the flags memccat shows");
        assertArrayEquals(content, java.util.Arrays.copyOfRange(withFlags, 5, withFlags.length));
        // and the same bytes on the wire, read by hand
        assertEquals("VALUE blob.bin 4242 " + content.length, firstLine(get("blob.bin")));

        assertEquals(0, tool(work, "memcexist", servers, "blob.bin").exit, "memcexist of a stored key");
        assertEquals(1, tool(work, "memcexist", servers, "no-such-key").exit, "memcexist of a missing key");

        assertEquals(0, tool(work, "memctouch", servers, "--expire=1000", "blob.bin").exit, "memctouch");
        assertEquals(1, tool(work, "memctouch", servers, "--expire=1000", "no-such-key").exit,
                "memctouch of a missing key");
        assertArrayEquals(content, valueOf(get("blob.bin")), "memctouch keeps the value");

        assertEquals(0, tool(work, "memcrm", servers, "blob.bin").exit, "memcrm");
        assertEquals(1, tool(work, "memcexist", servers, "blob.bin").exit, "memcexist after memcrm");
        assertEquals("END", firstLine(get("blob.bin")), "get after memcrm");
        assertEquals(1, tool(work, "memcrm", servers, "blob.bin").exit, "memcrm of a missing key");

        Result stat = tool(work, "memcstat", servers);
        assertEquals(0, stat.exit, "memcstat: " + stat.output);
        assertTrue(stat.output.contains("Server: 127.0.0.1 (" + server.memcachedPort() + ")"), stat.output);
        for (String name : List.of("pid", "uptime", "version", "cmd_get", "cmd_set", "get_hits", "get_misses",
                "curr_items", "curr_connections")) {
            assertTrue(Pattern.compile("(?m)^\\s+" + name + ": \\S+$").matcher(stat.output).find(),
                    "memcstat prints " + name + ":\n" + stat.output);
        }
        assertTrue(stat.output.contains("\tversion: 1.6.18\n"), stat.output);

        assertEquals(0, tool(work, "memccp", servers, "blob.bin").exit);
        assertEquals(0, tool(work, "memcexist", servers, "blob.bin").exit);
        Result flush = tool(work, "memcflush", servers);
        assertEquals(0, flush.exit, "memcflush: " + flush.output);
        assertEquals(1, tool(work, "memcexist", servers, "blob.bin").exit, "memcexist after memcflush");
    }

    // ------------------------------------------------------------------ memccapable

    /** memccapable's ASCII tests, all of them (memcached 1.6.18 passes every one too). */
    @Test
    void memccapableAsciiTestsAllPass() throws Exception {
        for (int port : new int[] {server.memcachedPort(), server.port()}) {
            Result r = tool(dir, "memccapable", "-h", "127.0.0.1", "-p", Integer.toString(port), "-a", "-t", "10");
            assertEquals(0, r.exit, "memccapable -a on port " + port + ":\n" + r.output);
            List<String> lines = r.output.strip().lines().toList();
            List<String> notPassed = new ArrayList<>();
            int passed = 0;
            Matcher m;
            for (String line : lines) {
                m = Pattern.compile("^(ascii \\S+(?: noreply)?)\\s+\\[(\\w+)]$").matcher(line);
                if (m.matches()) {
                    if (m.group(2).equals("pass")) {
                        passed++;
                    } else {
                        notPassed.add(line);
                    }
                }
            }
            assertEquals(List.of(), notPassed, "memccapable -a on port " + port + ":\n" + r.output);
            assertEquals(27, passed, "memccapable's 27 ASCII tests on port " + port + ":\n" + r.output);
            assertEquals("All tests passed", lines.get(lines.size() - 1), r.output);
        }
    }

    // ------------------------------------------------------------------ gat and gats in the statistics

    /**
     * memcached 1.6.18 counts each key of gat and gats as a touch (cmd_touch, touch_hits, touch_misses) and not as
     * a get (cmd_get, get_hits, get_misses stay); the figures below are memcached's, read the same way.
     */
    @Test
    void gatAndGatsCountAsTouchesOnly() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.memcachedPort())) {
            s.setSoTimeout(10_000);
            assertEquals("STORED\r\n", exchange(s, "set gat-key 0 0 1\r\n1\r\n", "\r\n"));
            Map<String, Long> before = stats(s);
            assertEquals("VALUE gat-key 0 1\r\n1\r\nEND\r\n", exchange(s, "gat 100 gat-key gat-missing\r\n", "END\r\n"));
            assertTrue(exchange(s, "gats 100 gat-missing gat-key\r\n", "END\r\n").startsWith("VALUE gat-key 0 1 "));
            Map<String, Long> after = stats(s);
            Map<String, Long> expected = Map.of("cmd_get", 0L, "get_hits", 0L, "get_misses", 0L, "cmd_touch", 4L,
                    "touch_hits", 2L, "touch_misses", 2L);
            Map<String, Long> got = new java.util.TreeMap<>();
            for (String name : expected.keySet()) {
                got.put(name, after.get(name) - before.get(name));
            }
            assertEquals(new java.util.TreeMap<>(expected), got, "what gat and gats added to the statistics");
        }
    }

    // ------------------------------------------------------------------ the item size limit

    /**
     * memcached's item size limit ({@code -I}, 1 MiB here as by default) counts the item's header and key: with
     * the key {@code a}, memcached 1.6.18 stores at most 1,048,516 bytes and refuses a 1 MiB value; and an append
     * or prepend that would make an item larger than the limit is {@code NOT_STORED}.
     */
    @Test
    void theItemSizeLimitCountsTheKeyAndHoldsForAppendAndPrepend() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.memcachedPort())) {
            s.setSoTimeout(30_000);
            assertEquals("SERVER_ERROR object too large for cache\r\n",
                    exchange(s, "set a 0 0 1048576\r\n" + "y".repeat(1048576) + "\r\n", "\r\n"));
            assertEquals("STORED\r\n", exchange(s, "set a 0 0 600000\r\n" + "a".repeat(600000) + "\r\n", "\r\n"));
            assertEquals("NOT_STORED\r\n",
                    exchange(s, "append a 0 0 600000\r\n" + "b".repeat(600000) + "\r\n", "\r\n"));
            assertEquals("NOT_STORED\r\n",
                    exchange(s, "prepend a 0 0 600000\r\n" + "c".repeat(600000) + "\r\n", "\r\n"));
            assertEquals("VALUE a 0 600000\r\n", exchange(s, "get a\r\n", "END\r\n").substring(0, 18));
            exchange(s, "delete a\r\n", "\r\n");
        }
    }

    private static String exchange(Socket s, String request, String end) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        StringBuilder got = new StringBuilder();
        InputStream in = s.getInputStream();
        while (!got.toString().endsWith(end)) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed after '" + got + "'");
            }
            got.append((char) c);
        }
        return got.toString();
    }

    private static Map<String, Long> stats(Socket s) throws IOException {
        Map<String, Long> stats = new java.util.HashMap<>();
        for (String line : exchange(s, "stats\r\n", "END\r\n").split("\r\n")) {
            String[] p = line.split(" ");
            if (p.length == 3 && p[0].equals("STAT") && p[2].matches("\\d+")) {
                stats.put(p[1], Long.parseLong(p[2]));
            }
        }
        return stats;
    }

    // ------------------------------------------------------------------ helpers

    private static Result tool(Path cwd, String... command) throws Exception {
        Result r = run(List.of(command), Map.of(), cwd);
        if (r.exit == -1) {
            fail(command[0] + " could not run (" + TOOLS_PACKAGE + "): " + r.output);
        }
        return r;
    }

    /** The reply to {@code get key} on the memcached port, read until END. */
    private static byte[] get(String key) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.memcachedPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("get " + key + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            byte[] end = "END\r\n".getBytes(StandardCharsets.US_ASCII);
            byte[] buf = new byte[65536];
            while (true) {
                byte[] sofar = got.toByteArray();
                if (sofar.length >= end.length && java.util.Arrays.equals(sofar, sofar.length - end.length,
                        sofar.length, end, 0, end.length) && complete(sofar)) {
                    return sofar;
                }
                int n = in.read(buf);
                if (n < 0) {
                    throw new IOException("connection closed after " + got.size() + " bytes");
                }
                got.write(buf, 0, n);
            }
        }
    }

    /** Whether a get reply holds its whole value block before the END (a value may itself contain END). */
    private static boolean complete(byte[] reply) {
        String line = firstLine(reply);
        if (line.equals("END")) {
            return reply.length == 5;
        }
        String[] parts = line.split(" ");
        int len = Integer.parseInt(parts[3]);
        return reply.length == line.length() + 2 + len + 2 + 5;
    }

    private static String firstLine(byte[] reply) {
        String s = new String(reply, StandardCharsets.ISO_8859_1);
        return s.substring(0, s.indexOf("\r\n"));
    }

    private static byte[] valueOf(byte[] reply) {
        String line = firstLine(reply);
        int len = Integer.parseInt(line.split(" ")[3]);
        return java.util.Arrays.copyOfRange(reply, line.length() + 2, line.length() + 2 + len);
    }

    private static Path script(String name) throws URISyntaxException {
        java.net.URL url = MemcachedClientsTest.class.getResource("/clients/" + name);
        if (url == null) {
            throw new AssertionError("no test resource clients/" + name);
        }
        return Path.of(url.toURI());
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command, Map<String, String> env) throws Exception {
        return run(command, env, dir);
    }

    /** Runs a command with its output (stdout and stderr) to a file; exit -1 when it could not start. */
    private static Result run(List<String> command, Map<String, String> env, Path cwd) throws Exception {
        Path out = Files.createTempFile(dir, "out-", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Result(-1, String.join(" ", command) + ": " + e.getMessage());
        }
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            fail("timed out after " + TIMEOUT_SECONDS + " s: " + String.join(" ", command) + "\n"
                    + Files.readString(out, StandardCharsets.ISO_8859_1));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1));
    }
}
