package io.qrrot.crash.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.crash.group.RegisterChecker.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RegisterCheckerTest {
    private static boolean ok(Op... ops) {
        return RegisterChecker.check(List.of(ops), null).linearizable();
    }

    @Test
    void sequentialHistories() {
        assertTrue(ok(Op.read(0, null, 0, 1), Op.write(0, "a", 2, 3), Op.read(1, "a", 4, 5)));
        assertFalse(ok(Op.write(0, "a", 0, 1), Op.read(1, "b", 2, 3)));
        assertFalse(ok(Op.write(0, "a", 0, 1), Op.write(0, "b", 2, 3), Op.read(1, "a", 4, 5)), "a stale read");
        assertFalse(ok(Op.read(1, "a", 0, 1), Op.write(0, "a", 2, 3)), "a read of a value not yet written");
    }

    @Test
    void concurrentOperationsMayTakeEffectInEitherOrder() {
        assertTrue(ok(Op.write(0, "a", 0, 10), Op.write(1, "b", 5, 15), Op.read(2, "a", 20, 30)));
        assertTrue(ok(Op.write(0, "a", 0, 10), Op.write(1, "b", 5, 15), Op.read(2, "b", 20, 30)));
        assertTrue(ok(Op.write(0, "a", 0, 10), Op.read(1, "a", 5, 6), Op.read(2, null, 1, 2)));
        assertFalse(ok(Op.write(0, "a", 0, 10), Op.read(1, "a", 3, 4), Op.read(2, null, 5, 6)),
                "once a read saw the new value, a later read cannot see the old one");
    }

    @Test
    void unknownWritesMayHappenLateOrNever() {
        assertTrue(ok(Op.write(0, "a", 0, 1), Op.unknownWrite(1, "b", 2), Op.read(2, "a", 3, 4)), "never");
        assertTrue(ok(Op.write(0, "a", 0, 1), Op.unknownWrite(1, "b", 2), Op.read(2, "b", 30, 40)), "late");
        assertFalse(ok(Op.write(0, "a", 0, 1), Op.unknownWrite(1, "b", 2), Op.read(2, "b", 3, 4),
                Op.read(2, "a", 5, 6)), "a value read and then lost");
        assertFalse(ok(Op.read(2, "b", 0, 1), Op.unknownWrite(1, "b", 2)), "not before it was sent");
    }

    /** Histories made by a real register at random points within each operation's interval are linearizable. */
    @Test
    void randomLinearizableHistoriesPass() {
        long seed = Long.getLong("qrrot.seed", System.nanoTime());
        System.out.println("RegisterCheckerTest seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        for (int round = 0; round < 200; round++) {
            List<Op> ops = new ArrayList<>();
            String value = null;
            long now = 0;
            int clients = 2 + r.nextInt(4);
            long[] busyUntil = new long[clients];
            for (int i = 0; i < 60; i++) {
                now += r.nextInt(5);
                int c = r.nextInt(clients);
                long invoked = Math.max(now, busyUntil[c] + 1);
                long at = invoked + r.nextInt(20);
                long returned = at + r.nextInt(20);
                busyUntil[c] = returned;
                // the operation takes effect at `at`; operations are generated in order of `at` below
                now = at;
                if (r.nextInt(3) == 0) {
                    value = "v" + i;
                    ops.add(r.nextInt(10) == 0 ? Op.unknownWrite(c, value, invoked) : Op.write(c, value, invoked, returned));
                } else {
                    ops.add(Op.read(c, value, invoked, returned));
                }
            }
            RegisterChecker.Result res = RegisterChecker.check(ops, null);
            assertTrue(res.linearizable(), "seed " + seed + " round " + round + ": " + res.explanation() + "\n" + ops);
            assertEquals(60, ops.size());
        }
    }
}
