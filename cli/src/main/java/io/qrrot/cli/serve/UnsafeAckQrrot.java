package io.qrrot.cli.serve;

import io.qrrot.recovery.ForwardingQrrot;
import io.qrrot.recovery.Qrrot;

/**
 * A deliberately broken database for the crash tests: it reports every write durable at once, so the server
 * acknowledges writes that may still sit in the WAL's memory buffer. A kill -9 then loses acknowledged
 * writes, and the crash harness must catch that. Reached only through a hidden {@code serve} option.
 */
final class UnsafeAckQrrot extends ForwardingQrrot {
    UnsafeAckQrrot(Qrrot db) {
        super(db);
    }

    @Override
    public void whenDurable(long lsn, DurabilityListener listener) {
        listener.onDurable();
    }

    @Override
    public void endOfBatch() {
        // nothing is pushed to the log early either: records wait for the log's own flush delay
    }
}
