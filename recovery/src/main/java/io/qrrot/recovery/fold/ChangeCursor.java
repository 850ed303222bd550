package io.qrrot.recovery.fold;

import java.io.Closeable;
import java.io.IOException;
import org.agrona.DirectBuffer;

/**
 * A stream of folded changes ({@link Change}), one per key, in {@link io.qrrot.recovery.snapshot.SnapshotOrder}.
 * The current change is valid until the next call of {@link #next}. Single-threaded.
 */
public interface ChangeCursor extends Closeable {
    /** Moves to the next change; false at the end. */
    boolean next() throws IOException;

    /** The buffer holding the current change's bytes (its key, type and, for a PUT, value). */
    DirectBuffer buffer();

    /** Where the current change starts in {@link #buffer()}. */
    int at();

    /** The current change's kind after folding ({@link Change#PUT}, {@link Change#DELETE}, {@link Change#EXPIRE}). */
    byte kind();

    /** The current change's expiry after folding (epoch millis, 0 = none). */
    long expiry();
}
