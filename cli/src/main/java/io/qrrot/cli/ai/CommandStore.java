package io.qrrot.cli.ai;

import io.qrrot.cli.resp.Reply;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@link Store} reads as commands and the reading of their replies, shared by the remote
 * ({@link RespStore}) and embedded ({@link EmbeddedStore}) stores, which differ only in how a command
 * reaches the database. Not thread-safe.
 */
abstract class CommandStore implements Store {

    /** {@code WATCH keys} then {@code command}; the command's reply. A refused WATCH is a StoreException. */
    protected abstract Reply watchedRead(List<String> keys, List<String> command) throws StoreException, IOException;

    /** One command, watching nothing. */
    protected abstract Reply call(List<String> command) throws IOException;

    @Override
    public Optional<byte[]> get(String key) throws StoreException, IOException {
        Reply r = check(watchedRead(List.of(key), List.of("GET", key)));
        return r instanceof Reply.BulkString b ? Optional.of(b.bytes()) : Optional.empty();
    }

    @Override
    public List<Optional<byte[]>> mget(List<String> keys) throws StoreException, IOException {
        Reply r = check(watchedRead(keys, prefixed("MGET", keys)));
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
        return integer(check(watchedRead(keys, prefixed("EXISTS", keys))));
    }

    @Override
    public String type(String key) throws StoreException, IOException {
        Reply r = check(watchedRead(List.of(key), List.of("TYPE", key)));
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
        return integer(check(watchedRead(List.of(key), List.of("TTL", key))));
    }

    @Override
    public long strlen(String key) throws StoreException, IOException {
        return integer(check(watchedRead(List.of(key), List.of("STRLEN", key))));
    }

    @Override
    public Optional<String> jsonGet(String key, String path) throws StoreException, IOException {
        Reply r = check(path == null || path.isEmpty()
                ? watchedRead(List.of(key), List.of("JSON.GET", key))
                : watchedRead(List.of(key), List.of("JSON.GET", key, path)));
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
        Reply r = check(call(List.of("SCAN", cursor, "MATCH", pattern, "COUNT", Integer.toString(count))));
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
    public long hlen(String key) throws StoreException, IOException {
        return integer(check(watchedRead(List.of(key), List.of("HLEN", key))));
    }

    @Override
    public List<Optional<byte[]>> hmget(String key, List<String> fields) throws StoreException, IOException {
        List<String> cmd = new ArrayList<>(fields.size() + 2);
        cmd.add("HMGET");
        cmd.add(key);
        cmd.addAll(fields);
        Reply r = check(watchedRead(List.of(key), cmd));
        List<Optional<byte[]>> out = new ArrayList<>(fields.size());
        for (Reply e : r.elements()) {
            out.add(e instanceof Reply.BulkString b ? Optional.of(b.bytes()) : Optional.empty());
        }
        if (out.size() != fields.size()) {
            throw new StoreException("HMGET returned " + out.size() + " values for " + fields.size() + " fields");
        }
        return out;
    }

    @Override
    public HashPage hscan(String key, String cursor, int count) throws StoreException, IOException {
        ElementPage page = elementScan("HSCAN", key, cursor, count);
        if (page.elements().size() % 2 != 0) {
            throw new StoreException("HSCAN returned an odd number of fields and values");
        }
        List<FieldValue> entries = new ArrayList<>(page.elements().size() / 2);
        for (int i = 0; i < page.elements().size(); i += 2) {
            entries.add(new FieldValue(page.elements().get(i), page.elements().get(i + 1)));
        }
        return new HashPage(page.cursor(), entries);
    }

    @Override
    public long scard(String key) throws StoreException, IOException {
        return integer(check(watchedRead(List.of(key), List.of("SCARD", key))));
    }

    @Override
    public List<Boolean> smismember(String key, List<String> members) throws StoreException, IOException {
        List<String> cmd = new ArrayList<>(members.size() + 2);
        cmd.add("SMISMEMBER");
        cmd.add(key);
        cmd.addAll(members);
        Reply r = check(watchedRead(List.of(key), cmd));
        List<Boolean> out = new ArrayList<>(members.size());
        for (Reply e : r.elements()) {
            out.add(integer(e) == 1);
        }
        if (out.size() != members.size()) {
            throw new StoreException("SMISMEMBER returned " + out.size() + " answers for " + members.size() + " members");
        }
        return out;
    }

    @Override
    public SetPage sscan(String key, String cursor, int count) throws StoreException, IOException {
        ElementPage page = elementScan("SSCAN", key, cursor, count);
        return new SetPage(page.cursor(), page.elements());
    }

    @Override
    public long zcard(String key) throws StoreException, IOException {
        return integer(check(watchedRead(List.of(key), List.of("ZCARD", key))));
    }

    @Override
    public long zcount(String key, String min, String max) throws StoreException, IOException {
        return integer(check(watchedRead(List.of(key), List.of("ZCOUNT", key, min, max))));
    }

    @Override
    public List<ScoredMember> zrange(String key, List<String> args) throws StoreException, IOException {
        List<String> cmd = new ArrayList<>(args.size() + 3);
        cmd.add("ZRANGE");
        cmd.add(key);
        cmd.addAll(args);
        cmd.add("WITHSCORES");
        Reply r = check(watchedRead(List.of(key), cmd));
        // RESP2: member, score, member, score…; RESP3: [member, score] pairs, the score a double.
        List<Reply> flat = new ArrayList<>();
        for (Reply e : r.elements()) {
            if (e instanceof Reply.ArrayReply pair) {
                flat.addAll(pair.elements());
            } else {
                flat.add(e);
            }
        }
        if (flat.size() % 2 != 0) {
            throw new StoreException("ZRANGE WITHSCORES returned an odd number of members and scores");
        }
        List<ScoredMember> out = new ArrayList<>(flat.size() / 2);
        for (int i = 0; i < flat.size(); i += 2) {
            if (!(flat.get(i) instanceof Reply.BulkString member)) {
                throw new StoreException("ZRANGE returned a member that is not a string: " + flat.get(i));
            }
            Reply score = flat.get(i + 1);
            String text;
            if (score instanceof Reply.BulkString b) {
                text = b.utf8();
            } else if (score instanceof Reply.DoubleReply d) {
                text = d.text();
            } else {
                throw new StoreException("ZRANGE returned a score that is not a number: " + score);
            }
            out.add(new ScoredMember(member.bytes(), text));
        }
        return out;
    }

    @Override
    public long llen(String key) throws StoreException, IOException {
        return integer(check(watchedRead(List.of(key), List.of("LLEN", key))));
    }

    @Override
    public List<byte[]> lrange(String key, long start, long stop) throws StoreException, IOException {
        Reply r = check(watchedRead(List.of(key), List.of("LRANGE", key, Long.toString(start), Long.toString(stop))));
        List<byte[]> out = new ArrayList<>();
        for (Reply e : r.elements()) {
            if (!(e instanceof Reply.BulkString b)) {
                throw new StoreException("LRANGE returned an element that is not a string: " + e);
            }
            out.add(b.bytes());
        }
        return out;
    }

    /** HSCAN or SSCAN of one key, watching it: the next cursor and the elements as the server sent them. */
    private ElementPage elementScan(String name, String key, String cursor, int count)
            throws StoreException, IOException {
        Reply r = check(watchedRead(List.of(key), List.of(name, key, cursor, "COUNT", Integer.toString(count))));
        List<Reply> parts = r.elements();
        if (parts.size() != 2 || !(parts.get(0) instanceof Reply.BulkString next)) {
            throw new StoreException(name + " returned an unexpected reply: " + r);
        }
        List<byte[]> elements = new ArrayList<>();
        for (Reply e : parts.get(1).elements()) {
            if (!(e instanceof Reply.BulkString b)) {
                throw new StoreException(name + " returned an element that is not a string: " + e);
            }
            elements.add(b.bytes());
        }
        return new ElementPage(next.utf8(), elements);
    }

    private record ElementPage(String cursor, List<byte[]> elements) {
    }

    /**
     * What an {@code EXEC} reply means for a plan.
     *
     * @param queued the replies to the commands while they were queued (an error there explains EXECABORT)
     * @throws IOException when the reply has a shape no server sends
     */
    static PlanResult planResult(List<List<String>> commands, List<Reply> queued, Reply exec) throws IOException {
        if (exec instanceof Reply.Null) {
            return new PlanResult.Aborted();
        }
        if (exec instanceof Reply.ErrorReply e) {
            // EXECABORT: name the command the database refused while queueing.
            for (int i = 0; i < commands.size(); i++) {
                if (queued.get(i) instanceof Reply.ErrorReply q) {
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

    static List<String> prefixed(String name, List<String> args) {
        List<String> cmd = new ArrayList<>(args.size() + 1);
        cmd.add(name);
        cmd.addAll(args);
        return cmd;
    }

    static Reply check(Reply r) throws StoreException {
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
}
