package io.qrrot.recovery.fold;

import org.agrona.DirectBuffer;

/**
 * A cursor whose current change is either the fold of one key's own changes ({@link Change.Fold}: the change
 * whose key and value it keeps, with the folded kind, expiry and sequence) or the newest change of one
 * element, as it stands in its buffer.
 */
abstract class FoldedCursor implements ChangeCursor {
    final Change.Fold fold = new Change.Fold();
    /** The current change is an element's ({@link #elementBuffer} at {@link #elementAt}), not a key's fold. */
    boolean element;
    DirectBuffer elementBuffer;
    int elementAt;

    /** Makes the current change the fold of a key's changes, once {@link #fold} holds it. */
    void currentIsFold() {
        element = false;
    }

    /** Makes the current change an element's newest change, as it stands at {@code at}. */
    void currentIsElement(DirectBuffer b, int at) {
        element = true;
        elementBuffer = b;
        elementAt = at;
    }

    @Override
    public DirectBuffer buffer() {
        return element ? elementBuffer : fold.buffer;
    }

    @Override
    public int at() {
        return element ? elementAt : fold.at;
    }

    @Override
    public byte kind() {
        return element ? Change.kind(elementBuffer, elementAt) : fold.kind;
    }

    @Override
    public long expiry() {
        return element ? 0 : fold.expiry;
    }

    @Override
    public long sequence() {
        return element ? Change.sequence(elementBuffer, elementAt) : fold.sequence;
    }
}
