package io.qrrot.engine;

import java.nio.charset.StandardCharsets;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The arguments of one command (name first), as a reusable flyweight over one byte array.
 *
 * <p>A protocol decoder copies each argument into the backing array with {@link #add} and hands the same
 * instance to the engine for every command of a connection, so decoding allocates nothing per command once
 * the array has grown to the connection's largest command. Not thread-safe: one per connection.
 */
public final class CommandArgs {
    private byte[] data;
    private int used;
    private int[] offsets;
    private int[] lengths;
    private int count;
    private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);

    public CommandArgs() {
        this(256, 8);
    }

    public CommandArgs(int initialBytes, int initialArgs) {
        data = new byte[Math.max(16, initialBytes)];
        offsets = new int[Math.max(2, initialArgs)];
        lengths = new int[offsets.length];
        view.wrap(data);
    }

    /** Builds arguments from strings (UTF-8); for tests, tools and the embedded CLI. */
    public static CommandArgs of(String... args) {
        CommandArgs a = new CommandArgs();
        for (String s : args) {
            a.add(s.getBytes(StandardCharsets.UTF_8));
        }
        return a;
    }

    /** Builds arguments from raw byte arrays. */
    public static CommandArgs ofBytes(byte[]... args) {
        CommandArgs a = new CommandArgs();
        for (byte[] b : args) {
            a.add(b);
        }
        return a;
    }

    public void clear() {
        used = 0;
        count = 0;
    }

    public void add(byte[] src) {
        add(src, 0, src.length);
    }

    public void add(byte[] src, int off, int len) {
        int at = reserve(len);
        System.arraycopy(src, off, data, at, len);
    }

    public void add(DirectBuffer src, int off, int len) {
        int at = reserve(len);
        src.getBytes(off, data, at, len);
    }

    /**
     * Appends an argument of {@code len} bytes whose content the caller writes into {@link #array()} at the
     * returned offset (lets a decoder copy straight from its network buffer).
     */
    public int reserve(int len) {
        if (count == offsets.length) {
            int n = offsets.length * 2;
            offsets = java.util.Arrays.copyOf(offsets, n);
            lengths = java.util.Arrays.copyOf(lengths, n);
        }
        if (data.length - used < len) {
            long want = Math.max((long) data.length * 2, (long) used + len);
            data = java.util.Arrays.copyOf(data, (int) Math.min(Integer.MAX_VALUE - 8, want));
            view.wrap(data);
        }
        int at = used;
        offsets[count] = at;
        lengths[count] = len;
        count++;
        used += len;
        return at;
    }

    /**
     * Appends an empty argument that {@link #extendLast} then grows piece by piece: a decoder copying a large
     * argument as its bytes arrive holds only what has arrived, not the length the argument was announced with.
     */
    public void beginArg() {
        reserve(0);
    }

    /**
     * Makes the last argument {@code len} bytes longer and returns the offset at which the caller writes those
     * bytes into {@link #array()}. The array grows by doubling, but never past what {@code stillToCome} more
     * bytes of this argument need, so a growing argument never holds more than twice what it has received,
     * nor more than its final length.
     *
     * @param stillToCome bytes of this argument not received yet, {@code len} included
     */
    public int extendLast(int len, long stillToCome) {
        if (count == 0) {
            throw new IllegalStateException("no argument to extend; call beginArg first");
        }
        if (len < 0 || stillToCome < len) {
            throw new IllegalArgumentException("len " + len + " must be 0.." + stillToCome);
        }
        long need = (long) used + len;
        if (need > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("arguments of " + need + " bytes do not fit one array");
        }
        if (data.length < need) {
            long want = Math.max(need, Math.min((long) data.length * 2, (long) used + stillToCome));
            data = java.util.Arrays.copyOf(data, (int) Math.min(Integer.MAX_VALUE - 8, want));
            view.wrap(data);
        }
        int at = used;
        lengths[count - 1] += len;
        used += len;
        return at;
    }

    /** Number of arguments, the command name included. */
    public int count() {
        return count;
    }

    /** The backing array; argument {@code i} is at {@link #offset(int)} for {@link #length(int)} bytes. */
    public byte[] array() {
        return data;
    }

    /** The backing array as an Agrona buffer (same bytes, same offsets); valid until the next {@link #add}. */
    public DirectBuffer buffer() {
        return view;
    }

    public int offset(int i) {
        check(i);
        return offsets[i];
    }

    public int length(int i) {
        check(i);
        return lengths[i];
    }

    /** A copy of argument {@code i}. Allocates: not for hot paths. */
    public byte[] bytes(int i) {
        check(i);
        return java.util.Arrays.copyOfRange(data, offsets[i], offsets[i] + lengths[i]);
    }

    /** Argument {@code i} decoded as UTF-8. Allocates: not for hot paths. */
    public String string(int i) {
        check(i);
        return new String(data, offsets[i], lengths[i], StandardCharsets.UTF_8);
    }

    /** ASCII case-insensitive comparison of argument {@code i} with an upper-case ASCII word. */
    public boolean is(int i, String upperCaseWord) {
        check(i);
        int len = lengths[i];
        if (len != upperCaseWord.length()) {
            return false;
        }
        int off = offsets[i];
        for (int k = 0; k < len; k++) {
            int c = data[off + k];
            if (c >= 'a' && c <= 'z') {
                c -= 32;
            }
            if (c != upperCaseWord.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private void check(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("argument " + i + " of " + count);
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(string(i));
        }
        return sb.toString();
    }
}
