package io.qrrot.server;

import io.netty.channel.EventLoop;

/**
 * Group commit across the connections of one event loop: the first command that logs something in a loop
 * iteration schedules one {@code endOfBatch()}, which runs after the loop has read every ready connection.
 * So fifty clients served by one loop cost one WAL write (and, with fsync always, share one fsync), not
 * fifty. Confined to its loop.
 */
final class LoopBatch implements Runnable {
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
        } catch (Throwable e) {
            // An Error too (an OutOfMemoryError in the log's writer): the loop goes on, the log reports its state
            // to the waiting replies.
            server.failureLog.error("ending a WAL batch failed; waiting replies will get the log's failure", e);
        }
    }
}
