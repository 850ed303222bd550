package io.qrrot.crash.group;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the clients of a group sent and were told, for {@link GroupChecker}:
 * <ul>
 *   <li>registers {@code r:<k>}: SET of a unique value and GET by every client, each timed, for the
 *       linearizability check ({@link RegisterChecker});</li>
 *   <li>owned keys {@code o:<client>}: SET of the client's own increasing numbers; the final value lies between
 *       the last acknowledged and the last sent;</li>
 *   <li>the counter {@code cnt}: INCR by every client; the final value lies between the acknowledged and the sent
 *       count, and no two replies are the same number;</li>
 *   <li>the queue {@code q}: RPUSH of unique items and LPOP; every acknowledged push is in the queue at the end
 *       or was returned by a pop (or an unacknowledged pop may have taken it), no item comes back twice, and none
 *       that was never sent.</li>
 * </ul>
 */
final class GroupHistory {
    static final int REGISTERS = 4;

    final int clients;
    final List<List<RegisterChecker.Op>> registers = new ArrayList<>();
    final long[] ownedSent;
    final long[] ownedAcked;
    final AtomicLong counterSent = new AtomicLong();
    final AtomicLong counterAcked = new AtomicLong();
    final Set<Long> counterReplies = Collections.synchronizedSet(new HashSet<>());
    final Set<String> pushSent = new ConcurrentSkipListSet<>();
    final Set<String> pushAcked = new ConcurrentSkipListSet<>();
    final List<String> popped = Collections.synchronizedList(new ArrayList<>());
    final AtomicLong unknownPops = new AtomicLong();
    final AtomicLong sent = new AtomicLong();
    final AtomicLong acked = new AtomicLong();
    /** When each write was acknowledged (System.nanoTime), for the failover times. */
    final ConcurrentSkipListSet<Long> writeAcks = new ConcurrentSkipListSet<>();
    final List<String> violations = Collections.synchronizedList(new ArrayList<>());

    GroupHistory(int clients) {
        this.clients = clients;
        this.ownedSent = new long[clients];
        this.ownedAcked = new long[clients];
        for (int k = 0; k < REGISTERS; k++) {
            registers.add(Collections.synchronizedList(new ArrayList<>()));
        }
    }

    static String register(int k) {
        return "r:" + k;
    }

    static String owned(int client) {
        return "o:" + client;
    }
}
