package io.qrrot.recovery.fold;

import org.agrona.DirectBuffer;

/**
 * A cursor whose current change is the fold of one key's changes ({@link Change.Fold}): the change whose key
 * (and value) it keeps, with the folded kind and expiry.
 */
abstract class FoldedCursor implements ChangeCursor {
    final Change.Fold fold = new Change.Fold();

    @Override
    public DirectBuffer buffer() {
        return fold.buffer;
    }

    @Override
    public int at() {
        return fold.at;
    }

    @Override
    public byte kind() {
        return fold.kind;
    }

    @Override
    public long expiry() {
        return fold.expiry;
    }
}
