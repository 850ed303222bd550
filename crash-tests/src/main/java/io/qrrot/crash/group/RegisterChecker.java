package io.qrrot.crash.group;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Whether the history of one register (one key, SET and GET) is linearizable: some order of its operations,
 * each placed between its invocation and its reply, in which every GET returns the value of the last SET
 * before it. The search is Wing and Gong's, with the memo of Lowe's variant (the set of operations already
 * placed and the register's value), as Porcupine and Knossos do it.
 *
 * <p>An operation whose outcome is unknown (no reply: the connection was cut, or the reply said it is
 * uncertain) is a write that may have happened at any time after its invocation, or never: its reply time
 * is infinite. Such a write whose value no read returned is left out, which changes nothing (no read can
 * tell it happened) and keeps the search small. A read without a reply is left out.
 */
public final class RegisterChecker {
    /** One operation. {@code value} is what a SET wrote or a GET returned (null: no value). */
    public record Op(int client, boolean write, String value, long invoked, long returned, boolean known) {
        public static Op write(int client, String value, long invoked, long returned) {
            return new Op(client, true, value, invoked, returned, true);
        }

        public static Op unknownWrite(int client, String value, long invoked) {
            return new Op(client, true, value, invoked, Long.MAX_VALUE, false);
        }

        public static Op read(int client, String value, long invoked, long returned) {
            return new Op(client, false, value, invoked, returned, true);
        }

        @Override
        public String toString() {
            return "client " + client + (write ? " SET " : " GET → ") + value + " [" + invoked + ", "
                    + (returned == Long.MAX_VALUE ? "?" : Long.toString(returned)) + "]";
        }
    }

    /** The outcome: linearizable, or not with the operations the search could not place after the longest prefix. */
    public record Result(boolean linearizable, int operations, String explanation) {
    }

    private RegisterChecker() {
    }

    /** Checks {@code history}, starting from {@code initial} (null: the key does not exist). */
    public static Result check(List<Op> history, String initial) {
        Set<String> read = new HashSet<>();
        for (Op o : history) {
            if (!o.write() && o.known()) {
                read.add(o.value());
            }
        }
        List<Op> ops = new ArrayList<>();
        for (Op o : history) {
            if (o.known() || (o.write() && read.contains(o.value()))) {
                ops.add(o);
            }
        }
        int n = ops.size();
        // The events in time order; at the same instant replies first (those operations did not overlap the ones
        // invoked then), but an operation's own reply after its invocation.
        List<Entry> events = new ArrayList<>(2 * n);
        for (int i = 0; i < n; i++) {
            Op o = ops.get(i);
            Entry call = new Entry(i, true, o.invoked(), 1);
            Entry ret = new Entry(i, false, Math.max(o.invoked(), o.returned()), o.returned() <= o.invoked() ? 2 : 0);
            call.match = ret;
            events.add(call);
            events.add(ret);
        }
        events.sort(Comparator.comparingLong((Entry e) -> e.time).thenComparingInt(e -> e.rank));
        Entry head = new Entry(-1, false, Long.MIN_VALUE, 0);
        Entry prev = head;
        for (Entry e : events) {
            prev.next = e;
            e.prev = prev;
            prev = e;
        }
        BitSet placed = new BitSet(n);
        Set<Memo> seen = new HashSet<>();
        Deque<Frame> stack = new ArrayDeque<>();
        String state = initial;
        Entry e = head.next;
        int longest = 0;
        while (head.next != null) {
            if (e == null) {
                throw new IllegalStateException("ran past the end of the history");
            }
            if (e.call) {
                Op op = ops.get(e.op);
                boolean ok = op.write() || Objects.equals(op.value(), state);
                String next = op.write() ? op.value() : state;
                if (ok) {
                    BitSet with = (BitSet) placed.clone();
                    with.set(e.op);
                    if (seen.add(new Memo(with, next))) {
                        stack.push(new Frame(e, state));
                        placed = (BitSet) with.clone(); // the memo keeps `with`: never change it
                        state = next;
                        lift(e);
                        longest = Math.max(longest, stack.size());
                        e = head.next;
                        continue;
                    }
                }
                e = e.next;
            } else {
                // A reply whose operation is not placed yet: undo the last placement and try the next one.
                if (stack.isEmpty()) {
                    return new Result(false, n, "no order places every operation; the first that cannot be placed: "
                            + ops.get(e.op) + " (" + longest + " of " + n + " placed at most)");
                }
                Frame f = stack.pop();
                state = f.state;
                placed.clear(f.entry.op);
                unlift(f.entry);
                e = f.entry.next;
            }
        }
        return new Result(true, n, "linearizable");
    }

    private static void lift(Entry call) {
        call.prev.next = call.next;
        if (call.next != null) {
            call.next.prev = call.prev;
        }
        Entry ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null) {
            ret.next.prev = ret.prev;
        }
    }

    private static void unlift(Entry call) {
        Entry ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null) {
            ret.next.prev = ret;
        }
        call.prev.next = call;
        if (call.next != null) {
            call.next.prev = call;
        }
    }

    private static final class Entry {
        final int op;
        final boolean call;
        final long time;
        /** The order of events at the same instant. */
        final int rank;
        Entry match;
        Entry prev;
        Entry next;

        Entry(int op, boolean call, long time, int rank) {
            this.op = op;
            this.call = call;
            this.time = time;
            this.rank = rank;
        }
    }

    private record Frame(Entry entry, String state) {
    }

    private record Memo(BitSet placed, String state) {
    }
}
