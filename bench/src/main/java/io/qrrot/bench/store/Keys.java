package io.qrrot.bench.store;

/** Writes {@code key:<n>} into a reused byte array without allocating. */
public final class Keys {
    static final byte[] PREFIX = {'k', 'e', 'y', ':'};

    private Keys() {
    }

    /** Writes {@code key:<n>} (n >= 0) at the start of {@code into} and returns its length. */
    public static int write(byte[] into, long n) {
        System.arraycopy(PREFIX, 0, into, 0, PREFIX.length);
        int digits = 1;
        for (long v = n; v >= 10; v /= 10) {
            digits++;
        }
        int end = PREFIX.length + digits;
        long v = n;
        for (int i = end - 1; i >= PREFIX.length; i--) {
            into[i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        return end;
    }
}
