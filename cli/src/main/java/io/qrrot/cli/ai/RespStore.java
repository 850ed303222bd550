package io.qrrot.cli.ai;

import io.qrrot.cli.resp.Reply;
import io.qrrot.cli.resp.RespConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link Store} over a RESP connection of its own (a remote qrrot server, or any Redis-protocol server).
 * Each read is pipelined behind a {@code WATCH} of its keys, in one round trip; the plan runs as
 * {@code WATCH … MULTI … EXEC}. Not thread-safe.
 */
public final class RespStore implements Store {
    private final RespConnection conn;

    /** Takes ownership of {@code conn}: it must not be shared, since WATCH state is per connection. */
    public RespStore(RespConnection conn) {
        this.conn = conn;
    }

    @Override
    public Optional<byte[]> get(String key) throws StoreException, IOException {
        Reply r = watchedRead(List.of(key), "GET", key);
        return r instanceof Reply.BulkString b ? Optional.of(b.bytes()) : Optional.empty();
    }

    @Override
    public List<Optional<byte[]>> mget(List<String> keys) throws StoreException, IOException {
        List<String> cmd = new ArrayList<>(keys.size() + 1);
        cmd.add("MGET");
        cmd.addAll(keys);
        Reply r = watchedRead(keys, cmd.toArray(String[]::new));
        List<Optional<byte[]>> out = new ArrayList<>(keys.size());
        for (Reply e : r.elements()) {
            out.add(e instanceof Reply.BulkString b ? Optional.of(b.bytes()) : Optional.empty());
        }
        if (out.size() != keys.size()) {
            throw new StoreException("MGET returned " + out.size() + " values for " + keys.size() + " keys");
        }
        return out;
    }

    @Override
    public long exists(List<String> keys) throws StoreException, IOException {
        List<String> cmd = new ArrayList<>(keys.size() + 1);
        cmd.add("EXISTS");
        cmd.addAll(keys);
        return integer(watchedRead(keys, cmd.toArray(String[]::new)));
    }

    @Override
    public String type(String key) throws StoreException, IOException {
        Reply r = watchedRead(List.of(key), "TYPE", key);
        if (r instanceof Reply.SimpleString s) {
            return s.value();
        }
        if (r instanceof Reply.BulkString b) {
            return b.utf8();
        }
        throw new StoreException("TYPE returned " + r);
    }

    @Override
    public long ttl(String key) throws StoreException, IOException {
        return integer(watchedRead(List.of(key), "TTL", key));
    }

    @Override
    public long strlen(String key) throws StoreException, IOException {
        return integer(watchedRead(List.of(key), "STRLEN", key));
    }

    @Override
    public Optional<String> jsonGet(String key, String path) throws StoreException, IOException {
        Reply r = path == null || path.isEmpty()
                ? watchedRead(List.of(key), "JSON.GET", key)
                : watchedRead(List.of(key), "JSON.GET", key, path);
        if (r instanceof Reply.BulkString b) {
            return Optional.of(b.utf8());
        }
        if (r instanceof Reply.Null) {
            return Optional.empty();
        }
        throw new StoreException("JSON.GET returned " + r);
    }

    @Override
    public ScanPage scan(String cursor, String pattern, int count) throws StoreException, IOException {
        Reply r = check(conn.call("SCAN", cursor, "MATCH", pattern, "COUNT", Integer.toString(count)));
        List<Reply> parts = r.elements();
        if (parts.size() != 2 || !(parts.get(0) instanceof Reply.BulkString next)) {
            throw new StoreException("SCAN returned an unexpected reply: " + r);
        }
        List<String> keys = new ArrayList<>();
        for (Reply k : parts.get(1).elements()) {
            if (k instanceof Reply.BulkString b) {
                keys.add(b.utf8());
            }
        }
        return new ScanPage(next.utf8(), keys);
    }

    @Override
    public PlanResult executePlan(List<String> watchedKeys, List<List<String>> commands) throws IOException {
        // WATCH and MULTI each get their own round trip: if either failed while the rest was already on
        // the wire, the commands would run unconditionally.
        if (!watchedKeys.isEmpty()) {
            List<String> watch = new ArrayList<>(watchedKeys.size() + 1);
            watch.add("WATCH");
            watch.addAll(watchedKeys);
            if (conn.call(bytes(watch)) instanceof Reply.ErrorReply e) {
                return new PlanResult.Rejected("WATCH failed: " + e.message());
            }
        }
        Reply multi = conn.call("MULTI");
        if (!(multi instanceof Reply.SimpleString)) {
            return new PlanResult.Rejected("MULTI failed: " + multi);
        }
        List<List<byte[]>> batch = new ArrayList<>(commands.size() + 1);
        for (List<String> c : commands) {
            batch.add(bytes(c));
        }
        batch.add(bytes(List.of("EXEC")));
        List<Reply> replies = conn.pipeline(batch);
        Reply exec = replies.get(replies.size() - 1);
        if (exec instanceof Reply.Null) {
            return new PlanResult.Aborted();
        }
        if (exec instanceof Reply.ErrorReply e) {
            // EXECABORT: name the command the server refused while queueing.
            for (int i = 0; i < commands.size(); i++) {
                if (replies.get(i) instanceof Reply.ErrorReply q) {
                    return new PlanResult.Rejected("command " + (i + 1) + " (" + commands.get(i).get(0)
                            + ") refused: " + q.message());
                }
            }
            return new PlanResult.Rejected(e.message());
        }
        if (!(exec instanceof Reply.ArrayReply a) || a.elements().size() != commands.size()) {
            throw new IOException("EXEC returned an unexpected reply: " + exec);
        }
        return new PlanResult.Committed(a.elements());
    }

    private Reply watchedRead(List<String> keys, String... command) throws StoreException, IOException {
        List<String> watch = new ArrayList<>(keys.size() + 1);
        watch.add("WATCH");
        watch.addAll(keys);
        List<Reply> replies = conn.pipeline(List.of(bytes(watch), bytes(List.of(command))));
        check(replies.get(0));
        return check(replies.get(1));
    }

    private static Reply check(Reply r) throws StoreException {
        if (r instanceof Reply.ErrorReply e) {
            throw new StoreException(e.message());
        }
        return r;
    }

    private static long integer(Reply r) throws StoreException {
        if (r instanceof Reply.IntegerReply i) {
            return i.value();
        }
        throw new StoreException("expected an integer reply, got " + r);
    }

    private static List<byte[]> bytes(List<String> args) {
        List<byte[]> out = new ArrayList<>(args.size());
        for (String a : args) {
            out.add(a.getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    @Override
    public void close() {
        conn.close();
    }
}
