package io.qrrot.server;

import io.qrrot.engine.ReplySink;
import org.agrona.DirectBuffer;

/** A reply nobody reads (the DISCARD the server sends on a client's behalf before EXECABORT). */
final class DiscardingSink implements ReplySink {
    static final DiscardingSink INSTANCE = new DiscardingSink();

    @Override public void simple(String status) { }
    @Override public void error(String message) { }
    @Override public void integer(long value) { }
    @Override public void bulk(DirectBuffer bytes, int off, int len) { }
    @Override public void bulk(byte[] bytes, int off, int len) { }
    @Override public void bulkLong(long value) { }
    @Override public void nil() { }
    @Override public void nilArray() { }
    @Override public void array(int count) { }
    @Override public void map(int count) { }
    @Override public void set(int count) { }
    @Override public void doubleValue(double value) { }
    @Override public void bool(boolean value) { }
    @Override public void verbatim(String text) { }
}
