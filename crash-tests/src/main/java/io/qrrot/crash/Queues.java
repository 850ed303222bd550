package io.qrrot.crash;

import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The model of the queue workload: producers RPUSH unique items to the queues {@code q:<k>}; consumers take them
 * with LPOP, or with BLMOVE (LEFT to RIGHT) to their own processing list {@code qp:<client>} and later LREM them
 * from there. Every item is recorded before its RPUSH is sent, so a pop by another client always finds it.
 *
 * <p>What a pop sent but not acknowledged may have taken is not known, only how many: each queue counts the
 * elements its unacknowledged LPOPs asked for, and each (queue, consumer) pair its unacknowledged BLMOVEs.
 * {@link Checker#checkQueues} spends those counts on items it does not find where the acknowledged operations
 * put them, and then resolves the model to what it found.
 */
final class Queues {
    /** Where the acknowledged operations left an item. */
    enum State {
        /** Pushed (acknowledged or not) and not taken by an acknowledged pop: in its queue. */
        QUEUED,
        /** Returned by an acknowledged LPOP: nowhere. */
        POPPED,
        /** Returned by an acknowledged BLMOVE: in its consumer's processing list. */
        PROCESSING,
        /** Removed from the processing list by an acknowledged LREM: nowhere. */
        REMOVED
    }

    /** One item, pushed once to one queue by one producer. */
    static final class Item {
        final String name;
        final int queue;
        final int producer;
        final long seq;
        /** The RPUSH was acknowledged (or the item was found by a check). */
        volatile boolean pushAcked;
        private State state = State.QUEUED;
        /** The consumer whose processing list holds it, when {@link State#PROCESSING}. */
        private int consumer = -1;
        /** An LREM of it was sent and not acknowledged. */
        private boolean removeInFlight;

        Item(String name, int queue, int producer, long seq) {
            this.name = name;
            this.queue = queue;
            this.producer = producer;
            this.seq = seq;
        }

        synchronized State state() {
            return state;
        }

        synchronized int consumer() {
            return consumer;
        }

        synchronized boolean removeInFlight() {
            return removeInFlight;
        }

        /** Taken by an acknowledged pop; returns the state it was in (only {@link State#QUEUED} is right). */
        synchronized State take(State to, int by) {
            State was = state;
            state = to;
            consumer = to == State.PROCESSING ? by : consumer;
            return was;
        }

        synchronized void removing() {
            removeInFlight = true;
        }

        synchronized void removed() {
            state = State.REMOVED;
            removeInFlight = false;
        }

        /** What a check found: in {@code queue}, or in {@code processingOf}'s processing list when that is not -1. */
        synchronized void resolve(int processingOf) {
            pushAcked = true;
            state = processingOf < 0 ? State.QUEUED : State.PROCESSING;
            consumer = processingOf;
            removeInFlight = false;
        }

        @Override
        public synchronized String toString() {
            return name + " (pushed to " + Queues.queueKey(queue) + " by client " + producer
                    + (pushAcked ? ", acknowledged" : ", not acknowledged") + "; " + state
                    + (state == State.PROCESSING ? " by client " + consumer : "")
                    + (removeInFlight ? ", LREM in flight" : "") + ")";
        }
    }

    /** Queue keys. */
    static final int QUEUES = 3;
    /** How long a consumer's BLMOVE waits for an item: fractional, short, so the worker stays responsive. */
    static final double BLMOVE_TIMEOUT_SECONDS = 0.05;

    final int clients;
    /** Every item pushed and not known to be gone at the last check. */
    final Map<String, Item> items = new ConcurrentHashMap<>();
    /** Numbers the items, across runs, so no item is pushed twice. */
    final AtomicLong sequence = new AtomicLong();
    /** Per queue: how many elements LPOPs sent and not acknowledged asked for. */
    final AtomicLong[] unackedPops;
    /** Per queue and consumer: BLMOVEs sent and not acknowledged. */
    final AtomicLong[][] unackedMoves;
    /** Per consumer: its {@link State#PROCESSING} items, in the order they were moved to its processing list. */
    final Deque<Item>[] processing;

    @SuppressWarnings({"unchecked", "rawtypes"})
    Queues(int clients) {
        this.clients = clients;
        this.unackedPops = new AtomicLong[QUEUES];
        this.unackedMoves = new AtomicLong[QUEUES][clients];
        for (int k = 0; k < QUEUES; k++) {
            unackedPops[k] = new AtomicLong();
            for (int c = 0; c < clients; c++) {
                unackedMoves[k][c] = new AtomicLong();
            }
        }
        this.processing = new Deque[clients];
        for (int c = 0; c < clients; c++) {
            processing[c] = new ConcurrentLinkedDeque<>();
        }
    }

    static String queueKey(int k) {
        return "q:" + k;
    }

    static String processingKey(int client) {
        return "qp:" + client;
    }

    static String itemName(long seq) {
        return "job:" + seq;
    }

    List<String> keys() {
        List<String> keys = new ArrayList<>();
        for (int k = 0; k < QUEUES; k++) {
            keys.add(queueKey(k));
        }
        for (int c = 0; c < clients; c++) {
            keys.add(processingKey(c));
        }
        return keys;
    }

    /** A new item for {@code producer} to push to queue {@code k}, recorded before it is sent. */
    Item newItem(int k, int producer) {
        long seq = sequence.incrementAndGet();
        Item item = new Item(itemName(seq), k, producer, seq);
        items.put(item.name, item);
        return item;
    }

    /**
     * An acknowledged pop from queue {@code k} returned {@code name}: it must be an item pushed to that queue and
     * not returned before. Returns the item, or null (with a violation) when it is not one.
     */
    Item taken(String name, int k, State to, int consumer, String command, List<String> violations) {
        Item item = items.get(name);
        if (item == null) {
            violations.add(command + " " + queueKey(k) + " returned " + name + ", which "
                    + (seqOf(name) > 0 && seqOf(name) <= sequence.get()
                    ? "was consumed or lost before the last check" : "no producer pushed"));
            return null;
        }
        if (item.queue != k) {
            violations.add(command + " " + queueKey(k) + " returned " + item + ", pushed to another queue");
        }
        State was = item.take(to, consumer);
        if (was != State.QUEUED) {
            violations.add(command + " " + queueKey(k) + " returned " + name + " a second time: it was " + was
                    + " already");
        }
        return item;
    }

    /** The number in an item's name, or -1 when the name is not an item's. */
    static long seqOf(String name) {
        if (!name.startsWith("job:")) {
            return -1;
        }
        try {
            return Long.parseLong(name.substring(4));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
