package io.qrrot.server;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.qrrot.recovery.Qrrot;
import java.nio.file.Path;

/**
 * A real redis-server and a qrrot server (on the real database in {@code dir}) started together, for the
 * differential tests that send both the same bytes. Skips the test when redis-server is not installed.
 */
final class SideBySide implements AutoCloseable {
    final RedisServerProcess redis;
    final Qrrot db;
    final QrrotServer qrrot;

    private SideBySide(RedisServerProcess redis, Qrrot db, QrrotServer qrrot) {
        this.redis = redis;
        this.db = db;
        this.qrrot = qrrot;
    }

    /** @param what the test, named in the skip message */
    static SideBySide start(Path dir, String what) throws Exception {
        assumeTrue(RedisServerProcess.available(),
                "redis-server is not installed (Debian package redis-server): " + what + " is skipped");
        RedisServerProcess redis = RedisServerProcess.start(dir);
        Qrrot db = TestBackends.open(dir);
        return new SideBySide(redis, db, TestBackends.start(db, TestBackends.options()));
    }

    @Override
    public void close() throws Exception {
        try {
            qrrot.close();
            db.close();
        } finally {
            redis.close();
        }
    }
}
