package io.qrrot.server;

import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.Qrrot;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Server tests on one real database for the whole class ({@link #real}: opened on a temporary directory before
 * the first test, closed after the last), each test with a server of its own ({@link #startServer}), closed
 * after it (after the subclass's own {@code @AfterEach}).
 */
abstract class SharedDatabaseTest {
    @TempDir
    static Path dir;
    static DurableQrrot real;
    QrrotServer server;

    @BeforeAll
    static void openDatabase() {
        real = TestBackends.open(dir);
    }

    @AfterAll
    static void closeDatabase() {
        TestBackends.close(real);
    }

    /** Starts this test's server on {@code db} ({@link #real}, or a view of it); returns its port. */
    int startServer(Qrrot db, ServerOptions options) throws Exception {
        server = TestBackends.start(db, options);
        return server.port();
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }
}
