package io.qrrot.recovery.fold;

import java.io.IOException;

/** A compaction given up on purpose (the database is shutting down): nothing is wrong with the files. */
public final class FoldAbortedException extends IOException {
    public FoldAbortedException(String message) {
        super(message);
    }
}
