package io.qrrot.recovery;

import io.qrrot.engine.CommandSpec;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** A {@link Qrrot} that forwards every call to another: extend it and override only what differs. */
public abstract class ForwardingQrrot implements Qrrot {
    protected final Qrrot delegate;

    protected ForwardingQrrot(Qrrot delegate) {
        this.delegate = delegate;
    }

    @Override
    public Session newSession() {
        return delegate.newSession();
    }

    @Override
    public void whenDurable(long lsn, DurabilityListener listener) {
        delegate.whenDurable(lsn, listener);
    }

    @Override
    public Cluster cluster() {
        return delegate.cluster();
    }

    @Override
    public void endOfBatch() {
        delegate.endOfBatch();
    }

    @Override
    public List<CommandSpec> commands() {
        return delegate.commands();
    }

    @Override
    public Map<String, Map<String, String>> info() {
        return delegate.info();
    }

    @Override
    public DatabaseStats stats() {
        return delegate.stats();
    }

    @Override
    public SnapshotResult saveSnapshot() throws IOException {
        return delegate.saveSnapshot();
    }

    @Override
    public void abortSnapshots() {
        delegate.abortSnapshots();
    }

    @Override
    public void allowSnapshots() {
        delegate.allowSnapshots();
    }

    @Override
    public QrrotOptions options() {
        return delegate.options();
    }

    @Override
    public void setMaxMemory(long bytes) {
        delegate.setMaxMemory(bytes);
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }

    @Override
    public boolean setEncodingLimit(String name, long value) {
        return delegate.setEncodingLimit(name, value);
    }

    @Override
    public long encodingLimit(String name) {
        return delegate.encodingLimit(name);
    }

    @Override
    public void setKeyReadyListener(io.qrrot.engine.Engine.KeyReadyListener listener) {
        delegate.setKeyReadyListener(listener);
    }

    @Override
    public void setLatencyListener(LatencyListener listener) {
        delegate.setLatencyListener(listener);
    }

    @Override
    public void clearLatencyListener(LatencyListener listener) {
        delegate.clearLatencyListener(listener);
    }

    @Override
    public long memoryUsage(byte[] key) {
        return delegate.memoryUsage(key);
    }
}
