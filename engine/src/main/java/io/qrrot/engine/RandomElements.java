package io.qrrot.engine;

import io.qrrot.engine.store.CollectionView;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.agrona.DirectBuffer;

/**
 * Distinct random elements of a collection, for HRANDFIELD, SRANDMEMBER and SPOP with a positive count smaller
 * than the collection. Copied out of the store (these replies are O(count) anyway), so the caller may reply and
 * log them in any order.
 */
final class RandomElements {
    private RandomElements() {
    }

    /**
     * The arguments of HRANDFIELD and ZRANDMEMBER after the key: {@code count [withWord]}, checked as Redis
     * checks them (an integer that is not LONG_MIN; the word or nothing; with the word, a count whose pairs fit).
     * Leaves the count in {@link Ctx#num}; returns 1 with the word, 0 without, -1 after replying the error.
     */
    static int countArguments(Ctx c, String withWord) {
        if (!c.parseLong(2)) {
            c.out.error(Errors.NOT_INTEGER);
            return -1;
        }
        long l = c.num.get();
        if (l == Long.MIN_VALUE) {
            c.out.error(Errors.LONG_RANGE);
            return -1;
        }
        if (c.argc() > 4 || (c.argc() == 4 && !c.argIs(3, withWord))) {
            c.out.error(Errors.SYNTAX);
            return -1;
        }
        if (c.argc() == 4) {
            if (l < -Long.MAX_VALUE / 2 || l > Long.MAX_VALUE / 2) {
                c.out.error(HashCommands.OUT_OF_RANGE);
                return -1;
            }
            return 1;
        }
        return 0;
    }

    /**
     * False, after replying the error, when a count of random elements with repeats is past
     * {@link HashCommands#MAX_REPEATED}: Redis would try to build that reply and run out of memory first.
     */
    static boolean repeatsAllowed(Ctx c, long count, String what) {
        if (count > HashCommands.MAX_REPEATED) {
            c.out.error("ERR count is out of range: a reply of more than " + HashCommands.MAX_REPEATED + " random "
                    + what + " is refused");
            return false;
        }
        return true;
    }

    /**
     * {@code count} distinct elements (fewer than {@code s} holds), in random order: each as {element} or, with
     * {@code payloads}, {element, payload}. Many of them: all are copied and the first {@code count} shuffled
     * into place; few of them: random draws until enough differ. Either way O(size) at most, never O(count ×
     * size).
     */
    static List<byte[][]> distinct(Ctx c, CollectionView s, int count, boolean payloads) {
        long size = s.count();
        List<byte[][]> out = new ArrayList<>(count);
        if ((long) count * 3 > size) {
            List<byte[][]> all = new ArrayList<>((int) size);
            s.rewind();
            while (s.next()) {
                all.add(copy(s, payloads));
            }
            for (int i = 0; i < count; i++) {
                int j = i + (int) Long.remainderUnsigned(c.nextRandom(), all.size() - i);
                byte[][] t = all.get(i);
                all.set(i, all.get(j));
                all.set(j, t);
                out.add(all.get(i));
            }
            return out;
        }
        Set<String> seen = new HashSet<>();
        while (out.size() < count) {
            s.random(c.nextRandom());
            byte[][] e = copy(s, payloads);
            if (seen.add(new String(e[0], StandardCharsets.ISO_8859_1))) {
                out.add(e);
            }
        }
        return out;
    }

    private static byte[][] copy(CollectionView s, boolean payloads) {
        return payloads ? new byte[][] {bytes(s.element()), bytes(s.payload())} : new byte[][] {bytes(s.element())};
    }

    static byte[] bytes(DirectBuffer b) {
        byte[] x = new byte[b.capacity()];
        b.getBytes(0, x);
        return x;
    }
}
