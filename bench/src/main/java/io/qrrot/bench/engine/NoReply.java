package io.qrrot.bench.engine;

import io.qrrot.engine.ReplySink;
import org.agrona.DirectBuffer;

/**
 * A reply sink that only folds what it is given into a checksum (so the JIT cannot drop the work) and fails on
 * an error reply. The sum is a sink, not a result: sharing one instance between threads is harmless.
 */
public final class NoReply implements ReplySink {
    long sum;

    @Override
    public void simple(String status) {
        sum += status.length();
    }

    @Override
    public void error(String message) {
        throw new IllegalStateException("benchmark command failed: " + message);
    }

    @Override
    public void integer(long value) {
        sum += value;
    }

    @Override
    public void bulk(DirectBuffer bytes, int off, int len) {
        sum += len + (len > 0 ? bytes.getByte(off) : 0);
    }

    @Override
    public void bulk(byte[] bytes, int off, int len) {
        sum += len;
    }

    @Override
    public void bulkLong(long value) {
        sum += value;
    }

    @Override
    public void nil() {
        throw new IllegalStateException("benchmark key missing");
    }

    @Override
    public void nilArray() {
        sum++;
    }

    @Override
    public void array(int count) {
        sum += count;
    }

    @Override
    public void map(int count) {
        sum += count;
    }

    @Override
    public void set(int count) {
        sum += count;
    }

    @Override
    public void doubleValue(double value) {
        sum++;
    }

    @Override
    public void bool(boolean value) {
        sum++;
    }

    @Override
    public void verbatim(String text) {
        sum++;
    }
}
