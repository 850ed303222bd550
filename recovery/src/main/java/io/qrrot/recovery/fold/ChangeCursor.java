package io.qrrot.recovery.fold;

import java.io.Closeable;
import java.io.IOException;
import org.agrona.DirectBuffer;

/**
 * A stream of folded changes ({@link Change}) in the order {@link Change#compare} defines: per key, its own
 * changes folded into one (if it has any), then one change per element of it (the element's newest). The
 * current change is valid until the next call of {@link #next}. Single-threaded.
 */
public interface ChangeCursor extends Closeable {
    /** Moves to the next change; false at the end. */
    boolean next() throws IOException;

    /** The buffer holding the current change's bytes (its key, type, element and value). */
    DirectBuffer buffer();

    /** Where the current change starts in {@link #buffer()}. */
    int at();

    /**
     * The current change's kind after folding ({@link Change#PUT}, {@link Change#DELETE}, {@link Change#EXPIRE},
     * {@link Change#ELEMENT_PUT}, {@link Change#ELEMENT_DELETE}).
     */
    byte kind();

    /** The current change's expiry after folding (epoch millis, 0 = none; 0 for an element's change). */
    long expiry();

    /**
     * The current change's sequence after folding: for a key's folded change, that of its last PUT or DELETE
     * (0 when it has none); for an element's, that of its newest change.
     */
    long sequence();
}
