package io.qrrot.crash;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Compares a recovered server with the {@link History} and then resolves the history to what it found, so
 * the next run starts from known state.
 *
 * <p>Rules: an owned key holds the state of its last acknowledged operation, or of the one operation sent
 * after it; a key whose expiry has passed is absent; a counter lies between its acknowledged and sent
 * counts; the accounts' total is unchanged; a leaderboard member's score is its acknowledged increments plus
 * some of its unacknowledged ones, and the board's members come back in (score, member) order; every
 * acknowledged push of the queue workload is in a queue or a processing list or was returned by an acknowledged
 * pop, unless an unacknowledged pop may have taken it, no item is found twice, and each producer's items keep
 * their order ({@link #checkQueues}); no key exists that no client wrote.
 */
public final class Checker {
    /** Expiry times this close to the moment of checking may be seen either way. */
    static final long EXPIRY_SLACK_MILLIS = 150;

    private Checker() {
    }

    /** The outcome of one check. */
    public record Result(long keysVerified, List<String> violations) {
        public boolean ok() {
            return violations.isEmpty();
        }
    }

    public static Result check(History history, int port) {
        List<String> violations = new ArrayList<>();
        long verified = 0;
        try (Jedis jedis = Clients.connect(port, 30_000)) {
            long nowBefore = System.currentTimeMillis();
            List<History.OwnedKey> keys = new ArrayList<>();
            List<Response<String>> values = new ArrayList<>();
            List<Response<Long>> expiries = new ArrayList<>();
            Pipeline p = jedis.pipelined();
            for (History.OwnedKey[] row : history.owned) {
                for (History.OwnedKey k : row) {
                    keys.add(k);
                    values.add(p.get(k.name));
                    expiries.add(p.pexpireTime(k.name));
                }
            }
            List<Response<String>> counters = new ArrayList<>();
            for (int j = 0; j < history.counterSent.length; j++) {
                counters.add(p.get(History.counterKey(j)));
            }
            List<Response<String>> accounts = new ArrayList<>();
            for (int j = 0; j < history.accounts; j++) {
                accounts.add(p.get(History.accountKey(j)));
            }
            Response<java.util.Map<String, String>> hashCounters = p.hgetAll(History.HASH_COUNTERS);
            Response<java.util.Map<String, String>> hashAccounts = p.hgetAll(History.HASH_ACCOUNTS);
            List<Response<Set<String>>> sets = new ArrayList<>();
            for (History.OwnedSet s : history.sets) {
                sets.add(p.smembers(s.name));
            }
            List<Response<List<redis.clients.jedis.resps.Tuple>>> boards = new ArrayList<>();
            for (History.Leaderboard b : history.leaderboards) {
                boards.add(p.zrangeWithScores(b.name, 0, -1));
            }
            List<Response<List<String>>> queueLists = new ArrayList<>();
            for (int k = 0; k < Queues.QUEUES; k++) {
                queueLists.add(p.lrange(Queues.queueKey(k), 0, -1));
            }
            List<Response<List<String>>> processingLists = new ArrayList<>();
            for (int c = 0; c < history.clients; c++) {
                processingLists.add(p.lrange(Queues.processingKey(c), 0, -1));
            }
            p.sync();
            long nowAfter = System.currentTimeMillis();

            for (int n = 0; n < keys.size(); n++) {
                History.OwnedKey k = keys.get(n);
                String v = values.get(n).get();
                long pexpiretime = expiries.get(n).get();
                KeyState seen = seen(v, pexpiretime);
                KeyState acked = k.acked;
                KeyState pending = k.pending;
                if (matches(seen, acked, nowBefore, nowAfter) || (pending != null && matches(seen, pending, nowBefore, nowAfter))) {
                    verified++;
                } else {
                    violations.add(k.name + ": found " + seen + ", acknowledged " + acked
                            + (pending == null ? "" : ", or in flight " + pending) + " (checked at " + nowBefore + ")");
                }
                k.acked = seen;
                k.pending = null;
            }
            for (int j = 0; j < counters.size(); j++) {
                String v = counters.get(j).get();
                long value = v == null ? 0 : Long.parseLong(v);
                long acked = history.counterAcked[j].get();
                long sent = history.counterSent[j].get();
                if (value < acked || value > sent) {
                    violations.add(History.counterKey(j) + " = " + value + ", must lie in [" + acked + " acknowledged, "
                            + sent + " sent]");
                } else {
                    verified++;
                }
                history.counterAcked[j].set(value);
                history.counterSent[j].set(value);
            }
            long total = 0;
            for (Response<String> a : accounts) {
                String v = a.get();
                total += v == null ? 0 : Long.parseLong(v);
            }
            if (total != history.accountTotal()) {
                violations.add("accounts total " + total + " != " + history.accountTotal()
                        + ": a transfer was applied in part");
            } else {
                verified++;
            }

            java.util.Map<String, String> hc = hashCounters.get();
            for (int j = 0; j < history.hashCounterSent.length; j++) {
                String v = hc.get(History.hashCounterField(j));
                long value = v == null ? 0 : Long.parseLong(v);
                long acked = history.hashCounterAcked[j].get();
                long sent = history.hashCounterSent[j].get();
                if (value < acked || value > sent) {
                    violations.add(History.HASH_COUNTERS + " field " + History.hashCounterField(j) + " = " + value
                            + ", must lie in [" + acked + " acknowledged, " + sent + " sent]");
                } else {
                    verified++;
                }
                history.hashCounterAcked[j].set(value);
                history.hashCounterSent[j].set(value);
            }
            long hashTotal = 0;
            for (String v : hashAccounts.get().values()) {
                hashTotal += Long.parseLong(v);
            }
            if (hashTotal != 0) {
                violations.add(History.HASH_ACCOUNTS + " fields add up to " + hashTotal + ", not 0: a transfer was"
                        + " applied in part");
            } else {
                verified++;
            }
            for (int c = 0; c < history.sets.length; c++) {
                History.OwnedSet s = history.sets[c];
                Set<String> found = sets.get(c).get();
                Set<String> expected = new HashSet<>(s.acked);
                Set<String> other = new HashSet<>(s.acked);
                if (s.pendingMember != null) {
                    if (s.pendingAdd) {
                        other.add(s.pendingMember);
                    } else {
                        other.remove(s.pendingMember);
                    }
                }
                if (found.equals(expected) || found.equals(other)) {
                    verified++;
                } else {
                    violations.add(s.name + ": found " + found.size() + " members " + sample(found, expected)
                            + ", acknowledged " + expected.size() + (s.pendingMember == null ? ""
                            : ", with " + (s.pendingAdd ? "SADD " : "SREM ") + s.pendingMember + " in flight"));
                }
                s.acked.clear();
                s.acked.addAll(found);
                s.pendingMember = null;
            }

            for (int b = 0; b < history.leaderboards.length; b++) {
                verified += checkLeaderboard(history.leaderboards[b], boards.get(b).get(), violations);
            }

            List<List<String>> queues = new ArrayList<>();
            for (Response<List<String>> r : queueLists) {
                queues.add(r.get());
            }
            List<List<String>> processing = new ArrayList<>();
            for (Response<List<String>> r : processingLists) {
                processing.add(r.get());
            }
            verified += checkQueues(history.queues, queues, processing, violations);

            Set<String> known = new HashSet<>(history.allKeys());
            known.add(CrashLoop.PROBE_KEY);
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = jedis.scan(cursor, new ScanParams().count(1000));
                for (String key : page.getResult()) {
                    if (!known.contains(key)) {
                        violations.add("key '" + key + "' exists but no client ever wrote it");
                    }
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
        return new Result(verified, violations);
    }

    /**
     * One leaderboard as ZRANGE WITHSCORES found it: members in (score, member) order, each score the sum of
     * the member's acknowledged increments and a subset of its unacknowledged ones. Resolves the board to what
     * was found. Returns the members verified.
     */
    static long checkLeaderboard(History.Leaderboard board, List<redis.clients.jedis.resps.Tuple> found,
                                 List<String> violations) {
        long verified = 0;
        java.util.Map<String, Double> scores = new java.util.HashMap<>();
        redis.clients.jedis.resps.Tuple previous = null;
        for (redis.clients.jedis.resps.Tuple t : found) {
            if (previous != null && (previous.getScore() > t.getScore() || (previous.getScore() == t.getScore()
                    && previous.getElement().compareTo(t.getElement()) >= 0))) {
                violations.add(board.name + ": ZRANGE gives " + previous.getElement() + " (" + previous.getScore()
                        + ") before " + t.getElement() + " (" + t.getScore() + ")");
            }
            previous = t;
            if (scores.put(t.getElement(), t.getScore()) != null) {
                violations.add(board.name + ": member " + t.getElement() + " twice");
            }
        }
        for (int j = 0; j < board.acked.length; j++) {
            String member = History.leaderboardMember(j);
            Double s = scores.remove(member);
            double score = s == null ? 0 : s;
            long acked = board.acked[j].get();
            List<Long> unacked = new ArrayList<>(board.unacked[j]);
            if (score != Math.rint(score) || !subsetSum(unacked, (long) score - acked)) {
                violations.add(board.name + " member " + member + " = " + score + ", must be " + acked
                        + " acknowledged plus some of the unacknowledged " + unacked);
            } else {
                verified++;
            }
            board.acked[j].set((long) score);
            board.unacked[j].clear();
        }
        if (!scores.isEmpty()) {
            violations.add(board.name + ": members no client incremented: " + scores.keySet());
        }
        return verified;
    }

    /**
     * The queue workload as LRANGE found the queues ({@code queues}, by queue number) and the processing lists
     * ({@code processing}, by client), against the {@link Queues} model:
     *
     * <ul>
     *   <li>no item is found twice, in one list or in two;</li>
     *   <li>an item found in a queue was pushed to that queue and not returned by an acknowledged pop;</li>
     *   <li>an item found in a processing list was moved there by an acknowledged BLMOVE of its consumer and not
     *       removed by an acknowledged LREM, or is still queued in the model and that consumer has an
     *       unacknowledged BLMOVE from its queue to spend;</li>
     *   <li>an acknowledged push not found anywhere was returned by an acknowledged pop, or its queue has an
     *       unacknowledged LPOP element to spend (what an unacknowledged pop took is not known, only how many);
     *       an item an acknowledged BLMOVE moved must be in its processing list unless its LREM is in flight;</li>
     *   <li>each producer's items in a queue are in the order it pushed them, and each consumer's processing list
     *       holds its moved items in the order it moved them.</li>
     * </ul>
     *
     * <p>Then resolves the model to what was found: found items are queued or processing where they were found
     * (and count as acknowledged pushes from now on), the rest are forgotten, and nothing is in flight. Returns
     * the items verified.
     */
    static long checkQueues(Queues model, List<List<String>> queues, List<List<String>> processing,
                            List<String> violations) {
        long verified = 0;
        java.util.Map<String, List<String>> where = new java.util.LinkedHashMap<>();
        for (int k = 0; k < queues.size(); k++) {
            for (String name : queues.get(k)) {
                where.computeIfAbsent(name, n -> new ArrayList<>()).add(Queues.queueKey(k));
            }
        }
        for (int c = 0; c < processing.size(); c++) {
            for (String name : processing.get(c)) {
                where.computeIfAbsent(name, n -> new ArrayList<>()).add(Queues.processingKey(c));
            }
        }
        for (java.util.Map.Entry<String, List<String>> e : where.entrySet()) {
            if (e.getValue().size() > 1) {
                violations.add("queue item " + e.getKey() + " found " + e.getValue().size() + " times, in "
                        + e.getValue());
            }
        }
        long[] popsToSpend = new long[Queues.QUEUES];
        long[][] movesToSpend = new long[Queues.QUEUES][model.clients];
        for (int k = 0; k < Queues.QUEUES; k++) {
            popsToSpend[k] = model.unackedPops[k].get();
            for (int c = 0; c < model.clients; c++) {
                movesToSpend[k][c] = model.unackedMoves[k][c].get();
            }
        }

        Set<String> judged = new HashSet<>();
        for (int k = 0; k < queues.size(); k++) {
            String key = Queues.queueKey(k);
            for (String name : queues.get(k)) {
                if (!judged.add(name)) {
                    continue;
                }
                Queues.Item item = model.items.get(name);
                if (item == null) {
                    violations.add(key + " holds " + unknownItem(model, name));
                } else if (item.queue != k) {
                    violations.add(key + " holds " + item + ", pushed to another queue");
                } else if (item.state() == Queues.State.QUEUED) {
                    verified++;
                } else {
                    violations.add(key + " still holds " + item + ": an acknowledged "
                            + (item.state() == Queues.State.POPPED ? "LPOP" : "BLMOVE") + " returned it");
                }
            }
        }
        for (int c = 0; c < processing.size(); c++) {
            String key = Queues.processingKey(c);
            for (String name : processing.get(c)) {
                if (!judged.add(name)) {
                    continue;
                }
                Queues.Item item = model.items.get(name);
                if (item == null) {
                    violations.add(key + " holds " + unknownItem(model, name));
                    continue;
                }
                Queues.State state = item.state();
                if (state == Queues.State.PROCESSING && item.consumer() == c) {
                    verified++;
                } else if (state == Queues.State.QUEUED && movesToSpend[item.queue][c] > 0) {
                    movesToSpend[item.queue][c]--; // the unacknowledged BLMOVE moved it
                    verified++;
                } else {
                    violations.add(key + " holds " + item + switch (state) {
                        case QUEUED -> ", but client " + c + " has no BLMOVE from its queue in flight";
                        case POPPED -> ", but an acknowledged LPOP returned it";
                        case PROCESSING -> ", but an acknowledged BLMOVE of another client moved it";
                        case REMOVED -> ", but an acknowledged LREM removed it";
                    });
                }
            }
        }
        for (Queues.Item item : model.items.values()) {
            if (judged.contains(item.name)) {
                continue;
            }
            switch (item.state()) {
                case QUEUED -> {
                    if (!item.pushAcked) {
                        verified++; // its RPUSH may not have happened, or an unacknowledged pop took it
                    } else if (popsToSpend[item.queue] > 0) {
                        popsToSpend[item.queue]--; // an unacknowledged LPOP took it
                        verified++;
                    } else {
                        violations.add("acknowledged RPUSH lost: " + item + " is in no list, no acknowledged pop "
                                + "returned it and no unacknowledged LPOP of " + Queues.queueKey(item.queue)
                                + " is left to have taken it");
                    }
                }
                case PROCESSING -> {
                    if (item.removeInFlight()) {
                        verified++;
                    } else {
                        violations.add("acknowledged BLMOVE lost: " + item + " is not in "
                                + Queues.processingKey(item.consumer()) + " and no LREM of it was sent");
                    }
                }
                case POPPED, REMOVED -> verified++;
            }
        }

        for (int k = 0; k < queues.size(); k++) {
            java.util.Map<Integer, Queues.Item> lastOfProducer = new java.util.HashMap<>();
            for (String name : queues.get(k)) {
                Queues.Item item = model.items.get(name);
                if (item == null || item.queue != k) {
                    continue;
                }
                Queues.Item before = lastOfProducer.put(item.producer, item);
                if (before != null && before.seq >= item.seq) {
                    violations.add(Queues.queueKey(k) + " holds " + before.name + " before " + item.name
                            + ", which client " + item.producer + " pushed first");
                }
            }
        }
        for (int c = 0; c < processing.size(); c++) {
            Set<String> found = new HashSet<>(processing.get(c));
            List<String> moved = new ArrayList<>();
            for (Queues.Item item : model.processing[c]) {
                if (found.contains(item.name)) {
                    moved.add(item.name);
                }
            }
            Set<String> movedSet = new HashSet<>(moved);
            List<String> inList = processing.get(c).stream().filter(movedSet::contains).distinct().toList();
            if (!inList.equals(moved)) {
                violations.add(Queues.processingKey(c) + " holds the items client " + c + " moved in the order "
                        + inList + ", not in the order it moved them " + moved);
            }
        }

        // Resolve the model to what was found.
        java.util.Map<String, Queues.Item> found = new java.util.HashMap<>();
        for (int k = 0; k < queues.size(); k++) {
            for (String name : queues.get(k)) {
                Queues.Item item = model.items.get(name);
                if (!found.containsKey(name)) {
                    if (item == null || item.queue != k) {
                        item = new Queues.Item(name, k, item == null ? -1 : item.producer, Queues.seqOf(name));
                    }
                    item.resolve(-1);
                    found.put(name, item);
                }
            }
        }
        for (int c = 0; c < processing.size(); c++) {
            model.processing[c].clear();
            for (String name : processing.get(c)) {
                Queues.Item item = model.items.get(name);
                if (!found.containsKey(name)) {
                    if (item == null) {
                        item = new Queues.Item(name, 0, -1, Queues.seqOf(name));
                    }
                    item.resolve(c);
                    found.put(name, item);
                    model.processing[c].addLast(item);
                }
            }
        }
        model.items.clear();
        model.items.putAll(found);
        for (int k = 0; k < Queues.QUEUES; k++) {
            model.unackedPops[k].set(0);
            for (int c = 0; c < model.clients; c++) {
                model.unackedMoves[k][c].set(0);
            }
        }
        return verified;
    }

    private static String unknownItem(Queues model, String name) {
        long seq = Queues.seqOf(name);
        return name + (seq > 0 && seq <= model.sequence.get()
                ? ", an item consumed or lost before the last check" : ", which no producer pushed");
    }

    /** Whether some of {@code amounts} (all positive) add up to {@code target}; 0 is the empty sum. */
    static boolean subsetSum(List<Long> amounts, long target) {
        if (target < 0) {
            return false;
        }
        java.util.BitSet reachable = new java.util.BitSet();
        reachable.set(0);
        for (long a : amounts) {
            for (int v = reachable.length() - 1; v >= 0; v--) {
                if (reachable.get(v)) {
                    reachable.set(v + (int) a);
                }
            }
        }
        return target <= Integer.MAX_VALUE && reachable.get((int) target);
    }

    /** What differs between a found and an expected set, briefly. */
    private static String sample(Set<String> found, Set<String> expected) {
        Set<String> missing = new HashSet<>(expected);
        missing.removeAll(found);
        Set<String> extra = new HashSet<>(found);
        extra.removeAll(expected);
        return "(missing " + missing.stream().limit(5).toList() + ", unexpected " + extra.stream().limit(5).toList()
                + ")";
    }

    /**
     * A key as read by GET then PEXPIRETIME. When GET found it but PEXPIRETIME no longer did (-2), its TTL ran
     * out between the two reads: by the second one it was absent, and that is what it is checked as.
     */
    static KeyState seen(String value, long pexpiretime) {
        if (value == null || pexpiretime == -2) {
            return KeyState.ABSENT;
        }
        return new KeyState(value, pexpiretime < 0 ? 0 : pexpiretime);
    }

    static boolean matches(KeyState seen, KeyState expected, long nowBefore, long nowAfter) {
        boolean surelyGone = expected.value() == null
                || (expected.expireAt() != 0 && expected.expireAt() <= nowBefore - EXPIRY_SLACK_MILLIS);
        boolean surelyThere = expected.value() != null
                && (expected.expireAt() == 0 || expected.expireAt() > nowAfter + EXPIRY_SLACK_MILLIS);
        if (seen.value() == null) {
            return !surelyThere;
        }
        return !surelyGone && seen.value().equals(expected.value()) && seen.expireAt() == expected.expireAt();
    }
}
