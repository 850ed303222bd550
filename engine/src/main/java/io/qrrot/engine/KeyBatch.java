package io.qrrot.engine;

import io.qrrot.engine.store.EntryView;
import io.qrrot.engine.store.EntryVisitor;
import org.agrona.ExpandableArrayBuffer;

/**
 * Copies the keys a store scan visits (the scan's visitor runs under the shard lock and must not change
 * the shard), so the command can then look each key up through {@link Ctx#find}. Reused. Not thread-safe.
 */
final class KeyBatch implements EntryVisitor {
    final ExpandableArrayBuffer keys = new ExpandableArrayBuffer(256);
    private int[] offsets = new int[32];
    private int[] lengths = new int[32];
    private int count;
    private int used;

    void reset() {
        count = 0;
        used = 0;
    }

    int count() {
        return count;
    }

    int offset(int i) {
        return offsets[i];
    }

    int length(int i) {
        return lengths[i];
    }

    @Override
    public void visit(EntryView e) {
        if (count == offsets.length) {
            offsets = java.util.Arrays.copyOf(offsets, count * 2);
            lengths = java.util.Arrays.copyOf(lengths, count * 2);
        }
        int len = e.keyLength();
        keys.putBytes(used, e.key(), 0, len);
        offsets[count] = used;
        lengths[count] = len;
        used += len;
        count++;
    }
}
