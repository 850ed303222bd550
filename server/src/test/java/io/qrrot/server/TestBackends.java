package io.qrrot.server;

import io.qrrot.recovery.Qrrot;
import java.nio.file.Path;

/**
 * The database the integration, fuzz and differential tests run against. Today the in-memory test double;
 * when the durable facade is available, this method is the one line to change:
 * {@code return DurableQrrot.open(dir, QrrotOptions.defaults());}
 */
final class TestBackends {
    private TestBackends() {
    }

    static Qrrot open(Path dir) {
        return new InMemoryQrrot(InMemoryQrrot.Durability.AUTO);
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
