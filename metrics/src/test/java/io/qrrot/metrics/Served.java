package io.qrrot.metrics;

import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.QrrotOptions;
import io.qrrot.server.QrrotServer;
import io.qrrot.server.ServerOptions;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A real database (fsync always), its server and its metrics endpoint, both on free ports of {@code bind}: what the
 * metrics tests scrape. Closed in reverse order.
 */
final class Served implements AutoCloseable {
    final DurableQrrot db;
    final QrrotServer server;
    final MetricsEndpoint metrics;

    /** @param password the server's requirepass, or null */
    Served(Path dataDir, String bind, String password) throws IOException {
        db = DurableQrrot.open(dataDir, QrrotOptions.defaults().withShards(4));
        QrrotServer s = null;
        try {
            s = new QrrotServer(db, ServerOptions.defaults().withBind(bind).withPort(0).withRequirePass(password));
            s.start();
            metrics = MetricsEndpoint.start(bind, 0, s, db);
        } catch (IOException | RuntimeException e) {
            if (s != null) {
                s.close();
            }
            db.close();
            throw e;
        }
        server = s;
    }

    @Override
    public void close() throws IOException {
        metrics.close();
        server.close();
        db.close();
    }
}
