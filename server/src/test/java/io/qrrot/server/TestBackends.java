package io.qrrot.server;

import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.Qrrot;
import io.qrrot.recovery.QrrotOptions;
import java.nio.file.Path;

/**
 * The database every server test runs against: the real durable database ({@link DurableQrrot}, WAL with
 * fsync always, snapshots) on a temporary directory. Tests that must hold back or fail durability wrap it
 * in {@link HeldDurability}.
 */
final class TestBackends {
    private TestBackends() {
    }

    static DurableQrrot open(Path dir) {
        return open(dir, QrrotOptions.defaults());
    }

    static DurableQrrot open(Path dir, QrrotOptions options) {
        try {
            return DurableQrrot.open(dir, options.withShards(8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Starts a server on a free loopback port. */
    static QrrotServer start(Qrrot db, ServerOptions options) throws java.io.IOException {
        return new QrrotServer(db, options.withPort(0)).start();
    }

    static ServerOptions options() {
        return ServerOptions.defaults().withPort(0).withIoThreads(2).withShutdownTimeoutMillis(5000);
    }

    /** Closes a database at the end of a test, failing the test if that fails. */
    static void close(Qrrot db) {
        if (db == null) {
            return;
        }
        try {
            db.close();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
