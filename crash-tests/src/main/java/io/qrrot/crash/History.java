package io.qrrot.crash;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the clients sent and what the server acknowledged, kept as a model the checker compares with the
 * recovered state.
 *
 * <ul>
 *   <li>Owned keys {@code s:<client>:<i>}: each written by one client only, so its operations are ordered;
 *       the model holds the state after the last acknowledged operation and, when an operation was sent but
 *       not acknowledged (the server died, or answered an error), the state that operation would leave.</li>
 *   <li>Counters {@code c:<j>}: INCR from every client; the value must lie between the acknowledged and the
 *       sent count.</li>
 *   <li>Accounts {@code a:<j>}: MULTI/EXEC transfers; the total never changes if transactions are
 *       all-or-nothing.</li>
 *   <li>The counter hash {@code hc}: HINCRBY of its fields {@code f<j>} from every client; each field must lie
 *       between its acknowledged and sent count, as a counter.</li>
 *   <li>The account hash {@code ha}: MULTI/EXEC of two HINCRBY moving an amount between two fields; a missing
 *       field is 0, so the fields always add up to 0.</li>
 *   <li>Owned sets {@code set:<client>}: SADD of a new member or SREM of an acknowledged one by one client; the
 *       set must hold exactly the acknowledged members, give or take the one member in flight.</li>
 *   <li>Leaderboards {@code lb:<b>}: sorted sets whose members {@code p<j>} every client ZINCRBYs by a known
 *       amount (1 to 9, so every score is an exact integer); a member's score must be the sum of its acknowledged
 *       increments plus some of its unacknowledged ones (those in flight when the server died, or answered with
 *       an error), a missing member 0. Board 0 has more members than a packed sorted set holds, so it lives in
 *       the large encoding; the others stay packed.</li>
 *   <li>Queues {@code q:<k>} and processing lists {@code qp:<client>} ({@link Queues}): every client RPUSHes new
 *       items to the queues and takes them with LPOP, or with BLMOVE to its processing list and then LREM from
 *       there. Every acknowledged push must be in a queue or processing list, or have been returned by an
 *       acknowledged pop (or be one an unacknowledged pop may have taken); no item may be returned twice or be
 *       found twice, and each producer's items stay in push order in their queue.</li>
 * </ul>
 */
public final class History {
    public static final long ACCOUNT_START = 1000;

    final int clients;
    final int keysPerClient;
    final OwnedKey[][] owned;
    final AtomicLong[] counterSent;
    final AtomicLong[] counterAcked;
    final int accounts;
    final AtomicLong[] hashCounterSent;
    final AtomicLong[] hashCounterAcked;
    final int hashAccounts;
    final OwnedSet[] sets;
    final Leaderboard[] leaderboards;
    final Queues queues;
    /** Numbers the members clients add to their sets, so none is added twice. */
    final AtomicLong members = new AtomicLong();
    final AtomicLong opsSent = new AtomicLong();
    final AtomicLong opsAcked = new AtomicLong();

    public History(int clients, int keysPerClient, int counters, int accounts) {
        this.clients = clients;
        this.keysPerClient = keysPerClient;
        this.owned = new OwnedKey[clients][keysPerClient];
        for (int c = 0; c < clients; c++) {
            for (int i = 0; i < keysPerClient; i++) {
                owned[c][i] = new OwnedKey(ownedKey(c, i));
            }
        }
        this.counterSent = new AtomicLong[counters];
        this.counterAcked = new AtomicLong[counters];
        for (int j = 0; j < counters; j++) {
            counterSent[j] = new AtomicLong();
            counterAcked[j] = new AtomicLong();
        }
        this.accounts = accounts;
        this.hashCounterSent = new AtomicLong[counters];
        this.hashCounterAcked = new AtomicLong[counters];
        for (int j = 0; j < counters; j++) {
            hashCounterSent[j] = new AtomicLong();
            hashCounterAcked[j] = new AtomicLong();
        }
        this.hashAccounts = accounts;
        this.sets = new OwnedSet[clients];
        for (int c = 0; c < clients; c++) {
            sets[c] = new OwnedSet(setKey(c));
        }
        this.leaderboards = new Leaderboard[LEADERBOARDS];
        for (int b = 0; b < LEADERBOARDS; b++) {
            leaderboards[b] = new Leaderboard(leaderboardKey(b), b == 0 ? LARGE_BOARD_MEMBERS : SMALL_BOARD_MEMBERS);
        }
        this.queues = new Queues(clients);
    }

    /** Sorted sets of the leaderboard workload. */
    public static final int LEADERBOARDS = 3;
    /** Members of board 0: more than zset-max-listpack-entries (128), so it is a table with a score index. */
    public static final int LARGE_BOARD_MEMBERS = 200;
    public static final int SMALL_BOARD_MEMBERS = 16;

    public static String leaderboardKey(int b) {
        return "lb:" + b;
    }

    public static String leaderboardMember(int j) {
        return "p" + j;
    }

    public static final String HASH_COUNTERS = "hc";
    public static final String HASH_ACCOUNTS = "ha";

    public static String hashCounterField(int j) {
        return "f" + j;
    }

    public static String hashAccountField(int j) {
        return "a" + j;
    }

    public static String setKey(int client) {
        return "set:" + client;
    }

    public static String ownedKey(int client, int i) {
        return "s:" + client + ":" + i;
    }

    public static String counterKey(int j) {
        return "c:" + j;
    }

    public static String accountKey(int j) {
        return "a:" + j;
    }

    public long accountTotal() {
        return ACCOUNT_START * accounts;
    }

    public long opsSent() {
        return opsSent.get();
    }

    public long opsAcked() {
        return opsAcked.get();
    }

    /** Every key name the model knows, for the "nothing appears that was never sent" check. */
    public List<String> allKeys() {
        List<String> keys = new ArrayList<>();
        for (OwnedKey[] row : owned) {
            for (OwnedKey k : row) {
                keys.add(k.name);
            }
        }
        for (int j = 0; j < counterSent.length; j++) {
            keys.add(counterKey(j));
        }
        for (int j = 0; j < accounts; j++) {
            keys.add(accountKey(j));
        }
        keys.add(HASH_COUNTERS);
        keys.add(HASH_ACCOUNTS);
        for (OwnedSet s : sets) {
            keys.add(s.name);
        }
        for (Leaderboard b : leaderboards) {
            keys.add(b.name);
        }
        keys.addAll(queues.keys());
        return keys;
    }

    /** One client's set: its acknowledged members and the one SADD or SREM in flight, if any. */
    static final class OwnedSet {
        final String name;
        final java.util.Set<String> acked = java.util.concurrent.ConcurrentHashMap.newKeySet();
        /** The member of the operation in flight, or null. */
        volatile String pendingMember;
        /** Whether the operation in flight adds (true) or removes (false) {@link #pendingMember}. */
        volatile boolean pendingAdd;

        OwnedSet(String name) {
            this.name = name;
        }
    }

    /**
     * One leaderboard: per member, the sum of the acknowledged ZINCRBY amounts and the amounts sent but not
     * acknowledged (at most one per client per run when the server dies; more when replies are errors).
     */
    static final class Leaderboard {
        final String name;
        final AtomicLong[] acked;
        final java.util.Queue<Long>[] unacked;

        @SuppressWarnings("unchecked")
        Leaderboard(String name, int members) {
            this.name = name;
            this.acked = new AtomicLong[members];
            this.unacked = new java.util.Queue[members];
            for (int j = 0; j < members; j++) {
                acked[j] = new AtomicLong();
                unacked[j] = new java.util.concurrent.ConcurrentLinkedQueue<>();
            }
        }
    }

    /** One owned key: touched by a single client thread, read by the checker between runs. */
    static final class OwnedKey {
        final String name;
        volatile KeyState acked = KeyState.ABSENT;
        /** The state the in-flight (unacknowledged) operation would leave, or null when none is in flight. */
        volatile KeyState pending;

        OwnedKey(String name) {
            this.name = name;
        }
    }
}
