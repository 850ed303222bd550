package io.qrrot.server;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * One connection to redis-server and one to qrrot of a {@link SideBySide}, in the same protocol: every command
 * goes to both and their replies are compared, byte for byte or by a rule of the test's. Keeps the last
 * commands with their replies, shown when a comparison fails (with the random run's seed, when there is one).
 * Shared by the differential tests of the data types.
 */
final class Duo implements AutoCloseable {
    /** Commands shown before a mismatch. */
    static final int TAIL = 40;

    final int protocol;
    final RawClient redis;
    final RawClient qrrot;
    final Deque<String> history = new ArrayDeque<>();
    /** The random run's seed, named in a mismatch; null for the scripted tests. */
    Long seed;

    Duo(SideBySide servers, int protocol) throws IOException {
        this.protocol = protocol;
        redis = new RawClient(servers.redis.port);
        qrrot = new RawClient(servers.qrrot.port());
        redis.timeout(5000);
        qrrot.timeout(5000);
        if (protocol == 3) {
            // Not compared: the reply names the server and the connection id.
            String r = redis.call("HELLO", "3");
            String q = qrrot.call("HELLO", "3");
            if (!r.startsWith("%") || !q.startsWith("%")) {
                fail("HELLO 3 refused: redis " + show(r) + ", qrrot " + show(q));
            }
        }
    }

    /** A key name of this protocol's run, so that the RESP2 and RESP3 runs never share keys. */
    String key(String name) {
        return "r" + protocol + "." + name;
    }

    /** Sends the command to both servers: Redis' reply, then qrrot's. */
    String[] raw(String... cmd) throws IOException {
        redis.command(cmd);
        qrrot.command(cmd);
        return new String[] {redis.read(), qrrot.read()};
    }

    /** The same bytes from both. */
    void same(String... cmd) throws IOException {
        check(cmd, raw(cmd));
    }

    void check(String[] cmd, String[] r) {
        record(cmd, r);
        if (!r[0].equals(r[1])) {
            mismatch(cmd, r, "");
        }
    }

    /** The same reply but for the order of an aggregate's elements (see {@link Node#form(boolean)}). */
    void unordered(String... cmd) throws IOException {
        checkUnordered(cmd, raw(cmd));
    }

    void checkUnordered(String[] cmd, String[] r) {
        record(cmd, r);
        if (!r[0].equals(r[1]) && !Node.parse(r[0]).form(true).equals(Node.parse(r[1]).form(true))) {
            mismatch(cmd, r, " (compared in any order)");
        }
    }

    /** TTL, PTTL, EXPIRETIME or PEXPIRETIME: equal, or both non-negative within a second. */
    void ttl(String... cmd) throws IOException {
        checkTime(cmd, raw(cmd));
    }

    void checkTime(String[] cmd, String[] r) {
        record(cmd, r);
        if (!closeTimes(cmd[0], r[0], r[1])) {
            mismatch(cmd, r, " (compared within a second)");
        }
    }

    /** Every key a full SCAN iteration with these options returns (as a sorted set), or the same error. */
    void scanKeys(String... options) throws IOException {
        scanAll(new String[] {"SCAN"}, options);
    }

    /**
     * Runs a whole SCAN-like iteration ({@code head}, then the cursor, then the options) on each server and
     * compares the elements it returned, as a sorted set (an iteration may return an element twice), or the
     * first reply that is not a scan page.
     */
    void scanAll(String[] head, String... options) throws IOException {
        String[] cmd = new String[head.length + 1 + options.length];
        System.arraycopy(head, 0, cmd, 0, head.length);
        System.arraycopy(options, 0, cmd, head.length + 1, options.length);
        String[] sets = new String[2];
        RawClient[] clients = {redis, qrrot};
        for (int side = 0; side < 2; side++) {
            Set<String> elements = new TreeSet<>();
            String cursor = "0";
            int rounds = 0;
            do {
                cmd[head.length] = cursor;
                String reply = clients[side].call(cmd);
                Node n = Node.parse(reply);
                if (n.type() != '*' || n.kids().size() != 2) {
                    elements.add("<reply " + show(reply) + ">");
                    break;
                }
                cursor = n.kids().get(0).text();
                for (Node k : n.kids().get(1).kids()) {
                    elements.add(show(k.text()));
                }
            } while (!cursor.equals("0") && ++rounds < 10_000);
            sets[side] = elements.toString();
        }
        cmd[head.length] = "<cursor>";
        check(cmd, sets);
    }

    /** How the replies of a {@link Step}'s commands are compared. */
    interface Check {
        /** @param replies for each of the step's commands, Redis' reply and qrrot's */
        void check(Duo d, String[][] cmds, String[][] replies) throws IOException;
    }

    /** Commands pipelined together and compared by one rule: one command of a random run, with its helpers. */
    record Step(String[][] cmds, Check check) {
        static Step exact(String... cmd) {
            return new Step(new String[][] {cmd}, (d, c, r) -> d.check(c[0], r[0]));
        }

        static Step time(String... cmd) {
            return new Step(new String[][] {cmd}, (d, c, r) -> d.checkTime(c[0], r[0]));
        }
    }

    /**
     * Sends every command of the steps pipelined to both servers, then compares the replies, step by step.
     *
     * @return how many steps there were
     */
    int pipeline(List<Step> steps) throws IOException {
        StringBuilder bytes = new StringBuilder();
        int commands = 0;
        for (Step s : steps) {
            for (String[] c : s.cmds()) {
                bytes.append(RawClient.multibulk(c));
                commands++;
            }
        }
        redis.send(bytes.toString());
        qrrot.send(bytes.toString());
        String[][] replies = new String[commands][];
        for (int i = 0; i < commands; i++) {
            replies[i] = new String[] {redis.read(), null};
        }
        for (int i = 0; i < commands; i++) {
            replies[i][1] = qrrot.read();
        }
        int at = 0;
        for (Step s : steps) {
            String[][] r = new String[s.cmds().length][];
            System.arraycopy(replies, at, r, 0, r.length);
            at += r.length;
            s.check().check(this, s.cmds(), r);
        }
        return steps.size();
    }

    /** Adds a command and its replies to the history shown on a mismatch. */
    void record(String[] cmd, String[] r) {
        String line = showCommand(cmd) + " -> " + show(r[0]) + (r[0].equals(r[1]) ? "" : "   qrrot: " + show(r[1]));
        history.addLast(line);
        if (history.size() > TAIL) {
            history.removeFirst();
        }
    }

    /** Fails the test: the command, both replies, the seed and the last commands. */
    void mismatch(String[] cmd, String[] r, String how) {
        StringBuilder m = new StringBuilder("RESP").append(protocol);
        if (seed != null) {
            m.append(" seed=").append(seed).append(" (replay with -Dseed=").append(seed).append(')');
        }
        m.append(": qrrot's reply to ").append(showCommand(cmd)).append(" differs from Redis'")
                .append(how).append("\n  redis: ").append(show(r[0])).append("\n  qrrot: ").append(show(r[1]))
                .append("\nlast commands (oldest first):\n");
        for (String h : history) {
            m.append("  ").append(h).append('\n');
        }
        fail(m.toString());
    }

    @Override
    public void close() throws IOException {
        try {
            redis.close();
        } finally {
            qrrot.close();
        }
    }

    // ------------------------------------------------------------------------------------------- helpers

    static boolean closeTimes(String command, String a, String b) {
        if (a.equals(b)) {
            return true;
        }
        if (!a.startsWith(":") || !b.startsWith(":")) {
            return false;
        }
        long x = Long.parseLong(a.substring(1).trim());
        long y = Long.parseLong(b.substring(1).trim());
        long tolerance = command.toUpperCase(Locale.ROOT).startsWith("P") ? 1000 : 1;
        return x >= 0 && y >= 0 && Math.abs(x - y) <= tolerance;
    }

    /**
     * WATCH on one connection, the last command of {@code c} on another after the ones before it set the keys
     * up, then MULTI, {@code read}, EXEC on the watching one: the replies, for comparing the two servers'. The
     * keys {@code w} and {@code w2} in the commands become {@code prefix + "w"} and {@code prefix + "w2"}.
     */
    static List<String> watchRun(int port, int protocol, String prefix, String[][] c, String... read)
            throws IOException {
        List<String> replies = new ArrayList<>();
        try (RawClient watcher = new RawClient(port); RawClient other = new RawClient(port)) {
            watcher.timeout(5000);
            other.timeout(5000);
            if (protocol == 3) {
                watcher.call("HELLO", "3");
            }
            other.call("DEL", prefix + "w", prefix + "w2");
            for (int i = 0; i < c.length - 1; i++) {
                other.call(prefixed(prefix, c[i]));
            }
            replies.add(watcher.call("WATCH", prefix + "w"));
            replies.add(other.call(prefixed(prefix, c[c.length - 1])));
            replies.add(watcher.call("MULTI"));
            replies.add(watcher.call(prefixed(prefix, read)));
            replies.add(watcher.call("EXEC"));
            other.call("DEL", prefix + "w", prefix + "w2");
        }
        return replies;
    }

    private static String[] prefixed(String prefix, String[] cmd) {
        String[] c = cmd.clone();
        for (int i = 1; i < c.length; i++) {
            if (c[i].equals("w") || c[i].equals("w2")) {
                c[i] = prefix + c[i];
            }
        }
        return c;
    }

    /** A command as one line: each argument escaped, quoted when empty or when it has a space or a quote. */
    static String showCommand(String[] cmd) {
        StringBuilder sb = new StringBuilder();
        for (String a : cmd) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            String e = show(a).replace("\"", "\\\"");
            sb.append(a.isEmpty() || a.contains(" ") || a.contains("\"") ? "\"" + e + "\"" : e);
        }
        return sb.toString();
    }

    /** The bytes of a reply or an argument, with CR, LF, backslash and non-printable bytes escaped. */
    static String show(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.ISO_8859_1)) {
            int c = b & 0xFF;
            if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\\') {
                sb.append("\\\\");
            } else if (c < 0x20 || c >= 0x7F) {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    /** One parsed RESP2/RESP3 reply: its type byte, its text (bulk content or line), its elements. */
    record Node(char type, String text, List<Node> kids) {
        static Node parse(String reply) {
            int[] pos = {0};
            return parse(reply, pos);
        }

        private static Node parse(String s, int[] pos) {
            char type = s.charAt(pos[0]);
            int eol = s.indexOf("\r\n", pos[0]);
            String line = s.substring(pos[0] + 1, eol);
            pos[0] = eol + 2;
            switch (type) {
                case '$', '=', '!' -> {
                    int len = Integer.parseInt(line);
                    if (len < 0) {
                        return new Node(type, null, List.of());
                    }
                    String text = s.substring(pos[0], pos[0] + len);
                    pos[0] += len + 2;
                    return new Node(type, text, List.of());
                }
                case '*', '~', '>', '%', '|' -> {
                    int len = Integer.parseInt(line);
                    int elements = type == '%' || type == '|' ? 2 * len : len;
                    List<Node> kids = new ArrayList<>();
                    for (int i = 0; i < elements; i++) {
                        kids.add(parse(s, pos));
                    }
                    return new Node(type, line, kids);
                }
                case '_' -> {
                    return new Node(type, null, List.of());
                }
                default -> {
                    return new Node(type, line, List.of());
                }
            }
        }

        boolean aggregate() {
            return "*~>%|".indexOf(type) >= 0 && text != null && !text.startsWith("-");
        }

        /**
         * The reply as one line; with {@code unordered}, this aggregate's elements (a map's pairs) sorted, so
         * that two replies listing the same elements (as many times each, with the same RESP types) in
         * different orders have the same form. Nested aggregates keep their order.
         */
        String form(boolean unordered) {
            if (!aggregate()) {
                return type + (text == null ? "<nil>" : text.length() + ":" + show(text));
            }
            List<String> parts = new ArrayList<>();
            int step = type == '%' || type == '|' ? 2 : 1;
            for (int i = 0; i + step <= kids.size(); i += step) {
                String p = kids.get(i).form(false);
                if (step == 2) {
                    p += " => " + kids.get(i + 1).form(false);
                }
                parts.add(p);
            }
            if (unordered) {
                parts.sort(null);
            }
            return type + text + parts;
        }
    }
}
