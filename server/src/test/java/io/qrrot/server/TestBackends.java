package io.qrrot.server;

import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.Qrrot;
import io.qrrot.recovery.QrrotOptions;
import java.nio.file.Path;

/**
 * The database the integration, fuzz and differential tests run against: the real durable database on a
 * temporary directory. (Tests of reply ordering under held-back durability use {@link InMemoryQrrot}
 * directly.)
 */
final class TestBackends {
    private TestBackends() {
    }

    static Qrrot open(Path dir) {
        try {
            return DurableQrrot.open(dir, QrrotOptions.defaults().withShards(8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** True when {@code db} is the real engine (turns on the data-command differential tests). */
    static boolean realEngine(Qrrot db) {
        return !(db instanceof InMemoryQrrot);
    }

    /** Starts a server on a free loopback port. */
    static QrrotServer start(Qrrot db, ServerOptions options) throws java.io.IOException {
        return new QrrotServer(db, options.withPort(0)).start();
    }

    static ServerOptions options() {
        return ServerOptions.defaults().withPort(0).withIoThreads(2).withShutdownTimeoutMillis(5000);
    }
}
