package io.qrrot.server;

import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit across the connections of one event loop: the first command that logs something in a loop
 * iteration schedules one {@code endOfBatch()}, which runs after the loop has read every ready connection.
 * So fifty clients served by one loop cost one WAL write (and, with fsync always, share one fsync), not
 * fifty. Confined to its loop.
 */
final class LoopBatch implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(LoopBatch.class);

    private final ServerContext server;
    private final EventLoop loop;
    private boolean scheduled;

    private LoopBatch(ServerContext server, EventLoop loop) {
        this.server = server;
        this.loop = loop;
    }

    static LoopBatch of(ServerContext server, EventLoop loop) {
        return server.loopBatches.computeIfAbsent(loop, l -> new LoopBatch(server, l));
    }

    /** A command of this loop's current iteration appended to the log. */
    void logged() {
        if (!scheduled) {
            scheduled = true;
            loop.execute(this);
        }
    }

    @Override
    public void run() {
        scheduled = false;
        try {
            server.db.endOfBatch();
        } catch (RuntimeException e) {
            log.error("ending a WAL batch failed; waiting replies will get the log's failure", e);
        }
    }
}
