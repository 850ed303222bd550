package io.qrrot.crash.group;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import redis.clients.jedis.HostAndPort;

/**
 * Reads the group's final state through the leader (the reads join the register histories) and holds it
 * against the {@link GroupHistory}. Each violation is one line naming the key and the numbers.
 */
final class GroupChecker {
    record Result(List<String> violations, long registerOps) {
    }

    private GroupChecker() {
    }

    static Result check(GroupHistory h, List<HostAndPort> nodes) {
        List<String> v = new ArrayList<>(h.violations);
        long registerOps = 0;
        try (GroupClient db = new GroupClient(nodes, 10_000, 0, () -> false)) {
            for (int k = 0; k < GroupHistory.REGISTERS; k++) {
                String key = GroupHistory.register(k);
                long t0 = System.nanoTime();
                GroupClient.Outcome<String> o = db.call(j -> j.get(key));
                if (o.status() != GroupClient.Status.OK) {
                    v.add("the final GET " + key + " failed: " + o.error());
                    continue;
                }
                List<RegisterChecker.Op> ops = new ArrayList<>(h.registers.get(k));
                ops.add(RegisterChecker.Op.read(-1, o.value(), t0, System.nanoTime()));
                registerOps += ops.size();
                RegisterChecker.Result r = RegisterChecker.check(ops, null);
                if (!r.linearizable()) {
                    v.add(key + " (" + ops.size() + " operations) is not linearizable: " + r.explanation());
                }
            }
            for (int c = 0; c < h.clients; c++) {
                String key = GroupHistory.owned(c);
                GroupClient.Outcome<String> o = db.call(j -> j.get(key));
                long got = o.value() == null ? 0 : Long.parseLong(o.value());
                if (o.status() != GroupClient.Status.OK) {
                    v.add("the final GET " + key + " failed: " + o.error());
                } else if (got < h.ownedAcked[c]) {
                    v.add(key + " is " + got + " but SET " + h.ownedAcked[c] + " was acknowledged: "
                            + (h.ownedAcked[c] - got) + " acknowledged writes lost");
                } else if (got > h.ownedSent[c]) {
                    v.add(key + " is " + got + " but the last SET sent was " + h.ownedSent[c]);
                }
            }
            GroupClient.Outcome<String> cnt = db.call(j -> j.get("cnt"));
            long count = cnt.value() == null ? 0 : Long.parseLong(cnt.value());
            if (count < h.counterAcked.get() || count > h.counterSent.get()) {
                v.add("cnt is " + count + ", outside [acknowledged " + h.counterAcked.get() + ", sent "
                        + h.counterSent.get() + "]");
            }
            GroupClient.Outcome<List<String>> q = db.call(j -> j.lrange("q", 0, -1));
            if (q.status() != GroupClient.Status.OK) {
                v.add("the final LRANGE q failed: " + q.error());
            } else {
                checkQueue(h, q.value(), v);
            }
        }
        return new Result(v, registerOps);
    }

    private static void checkQueue(GroupHistory h, List<String> left, List<String> v) {
        Set<String> seen = new HashSet<>();
        List<String> all = new ArrayList<>(h.popped);
        all.addAll(left);
        for (String item : all) {
            if (!seen.add(item)) {
                v.add("queue item " + item + " came back twice");
            }
            if (!h.pushSent.contains(item)) {
                v.add("queue item " + item + " was never pushed");
            }
        }
        long missing = 0;
        for (String item : h.pushAcked) {
            if (!seen.contains(item)) {
                missing++;
            }
        }
        if (missing > h.unknownPops.get()) {
            v.add(missing + " acknowledged queue items are gone, more than the " + h.unknownPops.get()
                    + " pops whose outcome is unknown could have taken");
        }
    }
}
