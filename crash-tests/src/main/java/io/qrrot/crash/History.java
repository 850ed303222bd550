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
        return keys;
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
