package io.qrrot.server;

import io.qrrot.engine.Engine;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import org.agrona.DirectBuffer;

/**
 * Clients blocked by BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX and BZMPOP until one of their
 * keys gets elements, first blocked, first served, as in Redis.
 *
 * <p>A blocked client replies nothing and processes no more input; its event loop goes on serving every other
 * connection. When a write gives a key members (any client's, inside MULTI/EXEC too: the engine tells
 * {@link #keyReady} as it applies the write), the client that has waited longest on that key runs its command
 * again, on its own event loop: it pops (and is answered, its reply held until its pop is durable like any
 * other write's), or finds the key empty again (another client was faster) and goes back to the front of the
 * queue. One retry per key is in flight at a time, so the key's members go to its waiters in order; a key that
 * gets members meanwhile is served again when the retry ends. A client that blocks is also retried once at
 * once, which closes the window between its command finding the keys empty and it joining their queues.
 *
 * <p>The timeout, CLIENT UNBLOCK and a closed connection take a client out of its queues; whoever takes it out
 * first (under {@link #lock}) answers it. The lock is never held while a command runs (commands take shard
 * locks, and {@link #keyReady} is called with a shard lock held), so the two cannot deadlock.
 */
final class BlockedClients implements Engine.KeyReadyListener {
    /** Not blocked. */
    static final int NONE = 0;
    /** In the queues of its keys. */
    static final int WAITING = 1;
    /** Out of the queues, its command running again (or about to) on its loop. */
    static final int SERVING = 2;

    private final Object lock = new Object();
    private final Map<Key, ArrayDeque<ClientConnection>> waiting = new HashMap<>();
    private final Set<Key> serving = new HashSet<>();
    private final Set<Key> again = new HashSet<>();
    /** Clients blocked (waiting or being served): a write looks no further while it is 0. */
    private volatile int blocked;

    /** A key's bytes, compared by content. */
    record Key(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    /** Clients blocked now (INFO's blocked_clients). */
    int count() {
        return blocked;
    }

    @Override
    public void keyReady(DirectBuffer key, int off, int len) {
        if (blocked == 0) {
            return;
        }
        byte[] bytes = new byte[len];
        key.getBytes(off, bytes);
        Key k = new Key(bytes);
        synchronized (lock) {
            serveNext(k);
        }
    }

    /** True while {@code c} waits in a blocking pop (CLIENT LIST's flag b); any thread. */
    boolean isBlocked(ClientConnection c) {
        synchronized (lock) {
            return c.blockState != NONE;
        }
    }

    /** Blocks {@code c} on {@code keys} (its loop; it has replied nothing). */
    void block(ClientConnection c, List<byte[]> keys) {
        List<Key> ks = new ArrayList<>(keys.size());
        for (byte[] k : keys) {
            ks.add(new Key(k));
        }
        synchronized (lock) {
            c.blockedKeys = ks;
            c.blockState = WAITING;
            c.blockExpired = false;
            blocked++;
            for (Key k : ks) {
                ArrayDeque<ClientConnection> q = waiting.computeIfAbsent(k, x -> new ArrayDeque<>());
                if (!q.contains(c)) {
                    q.addLast(c);
                }
            }
            // A write between the command's look at its keys and this line told nobody: look once more.
            for (Key k : ks) {
                serveNext(k);
            }
        }
    }

    /** The first client waiting on {@code k} runs its command again, unless one already does. Under the lock. */
    private void serveNext(Key k) {
        if (serving.contains(k)) {
            again.add(k);
            return;
        }
        ArrayDeque<ClientConnection> q = waiting.get(k);
        ClientConnection c = q == null ? null : q.pollFirst();
        if (c == null) {
            return;
        }
        if (q.isEmpty()) {
            waiting.remove(k);
        }
        leaveQueues(c);
        c.blockState = SERVING;
        c.servedKey = k;
        serving.add(k);
        try {
            c.loop.execute(c::retryBlocked);
        } catch (RejectedExecutionException stopped) {
            // Its loop is gone (shutting down): the connection will never run again.
            c.blockState = NONE;
            blocked--;
            serving.remove(k);
        }
    }

    private void leaveQueues(ClientConnection c) {
        for (Key k : c.blockedKeys) {
            ArrayDeque<ClientConnection> q = waiting.get(k);
            if (q != null) {
                q.remove(c);
                if (q.isEmpty()) {
                    waiting.remove(k);
                }
            }
        }
    }

    /** {@code c}'s command ran again and answered (its loop): the next waiter on the key gets its turn. */
    void served(ClientConnection c) {
        synchronized (lock) {
            Key k = c.servedKey;
            c.blockState = NONE;
            c.servedKey = null;
            blocked--;
            serving.remove(k);
            again.remove(k);
            serveNext(k);
        }
    }

    /**
     * {@code c}'s command ran again and found nothing (its loop): back to the front of its queues, unless its
     * timeout passed meanwhile (then false: the caller answers it as timed out).
     */
    boolean stillBlocked(ClientConnection c) {
        synchronized (lock) {
            Key k = c.servedKey;
            c.servedKey = null;
            serving.remove(k);
            boolean retry = again.remove(k);
            if (c.blockExpired) {
                c.blockState = NONE;
                blocked--;
                if (retry) {
                    serveNext(k);
                }
                return false;
            }
            c.blockState = WAITING;
            for (Key key : c.blockedKeys) {
                waiting.computeIfAbsent(key, x -> new ArrayDeque<>()).addFirst(c);
            }
            if (retry) {
                serveNext(k);
            }
            return true;
        }
    }

    /**
     * Takes {@code c} out of its queues for a timeout, CLIENT UNBLOCK or its connection closing. True when it was
     * waiting (the caller answers it); false when it was not blocked, or is being served (a timeout then marks
     * it, and {@link #stillBlocked} gives up on it if its retry finds nothing).
     */
    boolean unblock(ClientConnection c, boolean expired) {
        synchronized (lock) {
            if (c.blockState == WAITING) {
                leaveQueues(c);
                c.blockState = NONE;
                blocked--;
                return true;
            }
            if (c.blockState == SERVING && expired) {
                c.blockExpired = true;
            }
            return false;
        }
    }

    /** {@code c}'s connection closed while its retry was queued: its turn goes to the next waiter. */
    void abandon(ClientConnection c) {
        synchronized (lock) {
            if (c.blockState != SERVING) {
                return;
            }
            Key k = c.servedKey;
            c.blockState = NONE;
            c.servedKey = null;
            blocked--;
            serving.remove(k);
            again.remove(k);
            serveNext(k);
        }
    }
}
