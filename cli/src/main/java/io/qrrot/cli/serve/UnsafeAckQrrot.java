package io.qrrot.cli.serve;

import io.qrrot.recovery.ForwardingQrrot;
import io.qrrot.recovery.Qrrot;

/**
 * A deliberately broken database for the crash tests: it reports every write durable at once, so the server
 * acknowledges writes that may still sit in the WAL's memory buffer. A kill -9 then loses acknowledged
 * writes, and the crash harness must catch that. Reached only through a hidden {@code serve} option. A member
 * of a replicated group acknowledges as soon as it ran the command, before a majority has the entry (before
 * even its own log has it), which a kill of the leader must show.
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
        // A single node's records wait for the log's own flush delay; a group's leader has no such delay, so its
        // batches still go to the group, only their replies no longer wait.
        if (delegate.cluster() != null) {
            delegate.endOfBatch();
        }
    }
}
