package io.qrrot.cli.ai;

import io.qrrot.cli.resp.Reply;
import io.qrrot.cli.resp.RespConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Store} over a RESP connection of its own (a remote qrrot server, or any Redis-protocol server).
 * Each read is pipelined behind a {@code WATCH} of its keys, in one round trip; the plan runs as
 * {@code WATCH … MULTI … EXEC}. Not thread-safe.
 */
public final class RespStore extends CommandStore {
    private final RespConnection conn;

    /** Takes ownership of {@code conn}: it must not be shared, since WATCH state is per connection. */
    public RespStore(RespConnection conn) {
        this.conn = conn;
    }

    @Override
    protected Reply watchedRead(List<String> keys, List<String> command) throws StoreException, IOException {
        List<Reply> replies = conn.pipeline(List.of(bytes(prefixed("WATCH", keys)), bytes(command)));
        check(replies.get(0));
        return replies.get(1);
    }

    @Override
    protected Reply call(List<String> command) throws IOException {
        return conn.call(bytes(command));
    }

    @Override
    public PlanResult executePlan(List<String> watchedKeys, List<List<String>> commands) throws IOException {
        // WATCH and MULTI each get their own round trip: if either failed while the rest was already on
        // the wire, the commands would run unconditionally.
        try {
            if (!watchedKeys.isEmpty()) {
                if (conn.call(bytes(prefixed("WATCH", watchedKeys))) instanceof Reply.ErrorReply e) {
                    return new PlanResult.Rejected("WATCH failed: " + e.message());
                }
            }
            Reply multi = conn.call("MULTI");
            if (!(multi instanceof Reply.SimpleString)) {
                return new PlanResult.Rejected("MULTI failed: " + multi);
            }
        } catch (IOException e) {
            // No EXEC was sent: a transaction the server may have started is dropped with the connection,
            // which the request closes.
            conn.close();
            return new PlanResult.NotSent(e.getMessage());
        }
        List<List<byte[]>> batch = new ArrayList<>(commands.size() + 1);
        for (List<String> c : commands) {
            batch.add(bytes(c));
        }
        batch.add(bytes(List.of("EXEC")));
        List<Reply> replies = conn.pipeline(batch);
        return planResult(commands, replies.subList(0, commands.size()), replies.get(replies.size() - 1));
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
