package io.qrrot.cli.serve;

import io.qrrot.engine.CommandSpec;
import io.qrrot.recovery.Qrrot;
import io.qrrot.recovery.QrrotOptions;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A deliberately broken database for the crash tests: it reports every write durable at once, so the server
 * acknowledges writes that may still sit in the WAL's memory buffer. A kill -9 then loses acknowledged
 * writes, and the crash harness must catch that. Reached only through a hidden {@code serve} option.
 */
final class UnsafeAckQrrot implements Qrrot {
    private final Qrrot db;

    UnsafeAckQrrot(Qrrot db) {
        this.db = db;
    }

    @Override
    public void whenDurable(long lsn, DurabilityListener listener) {
        listener.onDurable();
    }

    @Override
    public void endOfBatch() {
        // nothing is pushed to the log early either: records wait for the log's own flush delay
    }

    @Override
    public Session newSession() {
        return db.newSession();
    }

    @Override
    public List<CommandSpec> commands() {
        return db.commands();
    }

    @Override
    public Map<String, Map<String, String>> info() {
        return db.info();
    }

    @Override
    public SnapshotResult saveSnapshot() throws IOException {
        return db.saveSnapshot();
    }

    @Override
    public QrrotOptions options() {
        return db.options();
    }

    @Override
    public void setMaxMemory(long bytes) {
        db.setMaxMemory(bytes);
    }

    @Override
    public void close() throws IOException {
        db.close();
    }
}
