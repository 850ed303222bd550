package io.qrrot.cli.ai;

import io.qrrot.cli.embedded.EmbeddedClient;
import io.qrrot.cli.resp.Reply;
import io.qrrot.recovery.Qrrot;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Store} over a session of its own of a database opened in this process ({@code qrrot ai --embedded}):
 * each read is {@code WATCH} of its keys then the read, the plan is {@code WATCH … MULTI … EXEC}, all on that
 * session, with the replies built as a RESP2 server would send them (as {@link RespStore} gets them). The
 * commit waits until the transaction is durable. Not thread-safe.
 */
public final class EmbeddedStore extends CommandStore {
    private final EmbeddedClient client;

    /** Opens a new session of {@code db}; {@link #close} ends it, the database stays open. */
    public EmbeddedStore(Qrrot db) {
        this.client = new EmbeddedClient(db, 2);
    }

    @Override
    protected Reply watchedRead(List<String> keys, List<String> command) throws StoreException {
        check(client.call(prefixed("WATCH", keys).toArray(String[]::new)));
        return client.call(command.toArray(String[]::new));
    }

    @Override
    protected Reply call(List<String> command) {
        return client.call(command.toArray(String[]::new));
    }

    @Override
    public PlanResult executePlan(List<String> watchedKeys, List<List<String>> commands) throws java.io.IOException {
        if (!watchedKeys.isEmpty()) {
            if (call(prefixed("WATCH", watchedKeys)) instanceof Reply.ErrorReply e) {
                return new PlanResult.Rejected("WATCH failed: " + e.message());
            }
        }
        Reply multi = call(List.of("MULTI"));
        if (!(multi instanceof Reply.SimpleString)) {
            return new PlanResult.Rejected("MULTI failed: " + multi);
        }
        List<Reply> queued = new ArrayList<>(commands.size());
        for (List<String> c : commands) {
            queued.add(call(c));
        }
        return planResult(commands, queued, call(List.of("EXEC")));
    }

    @Override
    public void close() {
        client.close();
    }
}
