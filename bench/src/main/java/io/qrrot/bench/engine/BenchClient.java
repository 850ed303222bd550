package io.qrrot.bench.engine;

import io.qrrot.engine.CommandArgs;
import io.qrrot.engine.Session;

/**
 * What a benchmark client of the engine holds: its session, argument holder, reply sink, random sequence and
 * scratch for numbers. Each benchmark's {@code Client} state extends it with the setup that opens the session.
 */
public class BenchClient {
    Session session;
    final CommandArgs args = new CommandArgs();
    final NoReply reply = new NoReply();
    final byte[] scratch = new byte[64];
    long state = 0x9E3779B97F4A7C15L;

    /** A command word or constant argument as its ASCII bytes. */
    static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    long next(long bound) {
        long x = state;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        state = x;
        return (x >>> 1) % bound;
    }

    /** Adds {@code prefix} followed by the decimal digits of {@code n} as one argument. */
    void add(byte[] prefix, long n) {
        System.arraycopy(prefix, 0, scratch, 0, prefix.length);
        int digits = 1;
        for (long v = n; v >= 10; v /= 10) {
            digits++;
        }
        long v = n;
        for (int i = prefix.length + digits - 1; i >= prefix.length; i--) {
            scratch[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        args.add(scratch, 0, prefix.length + digits);
    }
}
