package io.qrrot.engine;

import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;

/** An EffectLog that keeps a copy of every record and can be told to refuse. Thread-safe. */
final class CapturingLog implements EffectLog {
    final List<byte[]> records = new ArrayList<>();
    private long lsn;
    volatile String failWith;

    @Override
    public synchronized long append(DirectBuffer effect, int offset, int length) {
        if (failWith != null) {
            throw new EffectLogException(failWith);
        }
        byte[] copy = new byte[length];
        effect.getBytes(offset, copy);
        records.add(copy);
        return ++lsn;
    }

    @Override
    public void check() {
        if (failWith != null) {
            throw new EffectLogException(failWith);
        }
    }

    synchronized List<byte[]> snapshot() {
        return new ArrayList<>(records);
    }

    synchronized long lastLsn() {
        return lsn;
    }
}
