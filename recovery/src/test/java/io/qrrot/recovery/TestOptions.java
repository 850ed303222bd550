package io.qrrot.recovery;

import java.util.concurrent.atomic.AtomicLong;

/** The options several recovery tests open their database with. */
final class TestOptions {
    private TestOptions() {
    }

    /**
     * 8 shards, the clock {@code now} (which the test moves), 64 KiB WAL segments, and no compaction for the
     * WAL's size or age: only those the test asks for.
     */
    static QrrotOptions clocked(AtomicLong now) {
        return QrrotOptions.defaults().withClock(now::get).withShards(8)
                .withWal(64 * 1024, Long.MAX_VALUE, Long.MAX_VALUE);
    }
}
