package io.qrrot.engine;

import io.qrrot.engine.store.CollectionView;
import io.qrrot.engine.store.EntryType;
import org.agrona.DirectBuffer;

/**
 * The list commands, with Redis 7.0.15's semantics: replies, errors and the order in which arguments are checked.
 *
 * <p>Every element of a list has a label (see {@code ListNodes}), which is what the log names: a push logs
 * ELEMENTS_PUT of new labels past the end, a pop ELEMENTS_DEL of the labels it took, LSET an ELEMENTS_PUT of
 * the label it replaced, LINSERT an ELEMENTS_PUT of a label between its neighbours'. Labels are spaced
 * {@link CollectionView#LABEL_STRIDE} apart at the ends, so LINSERT nearly always finds room; when two neighbours
 * are adjacent it relabels a few elements around the spot (logged as their deletion and re-insertion), and in
 * the unlikely case that the label space is used up at an end, the whole list is rewritten with fresh labels.
 */
final class ListCommands {
    static final String OUT_OF_RANGE = "ERR index out of range";
    static final String RANK_ZERO = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second"
            + " ... or use negative to start from the end of the list";
    static final String COUNT_NEGATIVE = "ERR COUNT can't be negative";
    static final String MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative";

    private static final long STRIDE = CollectionView.LABEL_STRIDE;
    /** LINSERT's relabelling: a range of 2^i labels may hold (2 / RELABEL_T)^i elements. */
    private static final double RELABEL_T = 1.2;
    /** Past 2^44 elements, LINSERT's relabelling window grows until its labels are at least this far apart. */
    private static final long MIN_GAP = 1024;

    private ListCommands() {
    }

    /**
     * Looks up key argument {@code i} as a list into {@code view} (with {@code into}): 1 when it exists, 0 when it
     * does not, -1 when it holds another type (WRONGTYPE has been replied).
     */
    private static int findList(Ctx c, Found into, CollectionView view, int i) {
        if (!c.find(into, i)) {
            return 0;
        }
        if (into.type != EntryType.LIST) {
            c.out.error(Errors.WRONGTYPE);
            return -1;
        }
        // A list is never an after-image in the effect being built, so the view is the store's entry.
        view.wrap(into.view);
        return 1;
    }

    private static int findList(Ctx c, int i) {
        return findList(c, c.found, c.coll, i);
    }

    /** Whether the view's current element is argument {@code arg}. */
    private static boolean valueIs(Ctx c, CollectionView l, int arg) {
        return l.payloadEquals(c.argBuffer, c.off(arg), c.len(arg));
    }

    private static void replyValue(Ctx c, CollectionView l) {
        DirectBuffer v = l.payload();
        c.out.bulk(v, 0, v.capacity());
    }

    /** Adds the element at label {@code label} with the view's current value to the ELEMENTS_PUT being built. */
    private static void logValue(Ctx c, long label, DirectBuffer v, int off, int len) {
        CollectionView.putLabel(c.labelBytes, 0, label);
        c.effect.addElement(c.labelBytes, 0, 8, v, off, len);
    }

    private static void logRemoved(Ctx c, long label) {
        CollectionView.putLabel(c.labelBytes, 0, label);
        c.effect.addRemoved(c.labelBytes, 0, 8);
    }

    // ------------------------------------------------------------------ pushes

    static void lpush(Ctx c) {
        push(c, true, false);
    }

    static void rpush(Ctx c) {
        push(c, false, false);
    }

    static void lpushx(Ctx c) {
        push(c, true, true);
    }

    static void rpushx(Ctx c) {
        push(c, false, true);
    }

    private static void push(Ctx c, boolean head, boolean onlyExisting) {
        int r = findList(c, 1);
        if (r < 0) {
            return;
        }
        if (r == 0 && onlyExisting) {
            c.out.integer(0);
            return;
        }
        long size = r == 1 ? c.coll.count() : 0;
        int n = c.argc() - 2;
        long label = pushStart(c, r == 1 ? c.coll : null, 1, c.found.expiry, head, n, 0, size - 1);
        c.beginElements(1, EffectCodec.OP_ELEMENTS_PUT, EntryType.LIST);
        for (int j = 2; j < c.argc(); j++) {
            label += head ? -STRIDE : STRIDE;
            logValue(c, label, c.argBuffer, c.off(j), c.len(j));
        }
        c.out.integer(size + n);
    }

    /**
     * The label next to which {@code n} pushes at one end of the list in {@code l} (null: none yet) go: its
     * first (head) or last label, or for a new list the label a first push steps from. When the label space
     * has no room for them at that end, the elements {@code from..to} of the list are first rewritten with
     * fresh labels around 0 (the key deleted and its elements put again, its TTL restored), and the label is
     * the rewritten list's.
     */
    private static long pushStart(Ctx c, CollectionView l, int keyArg, long expiry, boolean head, long n,
                                  long from, long to) {
        c.listRewritten = false;
        if (l == null || to < from) {
            return head ? STRIDE : -STRIDE;
        }
        long end;
        if (head) {
            end = from == 0 ? l.firstLabel() : labelAt(l, from);
        } else {
            end = to == l.count() - 1 ? l.lastLabel() : labelAt(l, to);
        }
        boolean room = head ? end - CollectionView.LABEL_MIN >= n * (double) STRIDE
                : CollectionView.LABEL_MAX - end >= n * (double) STRIDE;
        if (room) {
            return end;
        }
        long count = to - from + 1;
        long first = -(count / 2) * STRIDE;
        c.delete(keyArg);
        c.beginElements(keyArg, EffectCodec.OP_ELEMENTS_PUT, EntryType.LIST);
        l.seekRank(from);
        for (long i = 0; i < count; i++) {
            if (i > 0) {
                l.nextInOrder();
            }
            DirectBuffer v = l.payload();
            logValue(c, first + i * STRIDE, v, 0, v.capacity());
        }
        if (expiry != 0) {
            c.expire(keyArg, expiry);
        }
        c.listRewritten = true;
        return head ? first : first + (count - 1) * STRIDE;
    }

    // ------------------------------------------------------------------ pops

    static void lpop(Ctx c) {
        pop(c, true);
    }

    static void rpop(Ctx c) {
        pop(c, false);
    }

    private static void pop(Ctx c, boolean head) {
        boolean counted = c.argc() == 3;
        long count = 0;
        if (c.argc() > 3) {
            c.out.error(c.cmd.arityError); // LPOP and RPOP take at most a count, as Redis checks them
            return;
        }
        if (counted) {
            if (!c.parseLong(2) || c.num.get() < 0) {
                c.out.error(SetCommands.MUST_BE_POSITIVE); // Redis 7.0 says so of any count not a long >= 0
                return;
            }
            count = c.num.get();
        }
        int r = findList(c, 1);
        if (r < 0) {
            return;
        }
        if (r == 0) {
            if (counted) {
                c.out.nilArray();
            } else {
                c.out.nil();
            }
            return;
        }
        if (counted && count == 0) {
            c.out.array(0);
            return;
        }
        CollectionView l = c.coll;
        long size = l.count();
        if (!counted) {
            popRange(c, l, 1, 1, head);
        } else {
            int n = (int) Math.min(count, size);
            c.out.array(n);
            popRange(c, l, 1, n, head);
        }
    }

    /**
     * Replies and logs the removal of {@code n} elements from one end of the list at key argument {@code keyArg}
     * (each as a bulk string, in the order popped), deleting the key when they were all.
     */
    private static void popRange(Ctx c, CollectionView l, int keyArg, int n, boolean head) {
        long size = l.count();
        c.beginElements(keyArg, EffectCodec.OP_ELEMENTS_DEL, EntryType.LIST);
        l.seekRank(head ? 0 : size - 1);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                if (head) {
                    l.nextInOrder();
                } else {
                    l.prevInOrder();
                }
            }
            replyValue(c, l);
            logRemoved(c, l.label());
        }
        c.deleteIfEmptied(keyArg, n, size);
    }

    /** LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]. */
    static void lmpop(Ctx c) {
        mpop(c, 1);
    }

    /** BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]. */
    static void blmpop(Ctx c) {
        mpop(c, 2);
    }

    private static void mpop(Ctx c, int numkeysArg) {
        boolean blocking = numkeysArg == 2;
        MultiPop args = c.multiPop;
        if (!args.parse(c, numkeysArg, "LEFT", "RIGHT")) {
            return;
        }
        int where = args.where;
        boolean head = !args.second;
        long count = args.count;
        long timeout = 0;
        if (blocking) {
            timeout = ZSetCommands.blockTimeout(c, 1);
            if (timeout < 0) {
                return;
            }
        }
        for (int k = numkeysArg + 1; k < where; k++) {
            int r = findList(c, k);
            if (r < 0) {
                return;
            }
            if (r > 0) {
                CollectionView l = c.coll;
                int n = (int) Math.min(count, l.count());
                c.out.array(2);
                c.out.bulk(c.argBuffer, c.off(k), c.len(k));
                c.out.array(n);
                popRange(c, l, k, n, head);
                return;
            }
        }
        if (blocking) {
            ZSetCommands.blockOrNil(c, timeout);
        } else {
            c.out.nilArray();
        }
    }

    static void blpop(Ctx c) {
        blockingPop(c, true);
    }

    static void brpop(Ctx c) {
        blockingPop(c, false);
    }

    /** BLPOP / BRPOP key [key ...] timeout: [key, element] from the first non-empty list, or wait. */
    private static void blockingPop(Ctx c, boolean head) {
        long timeout = ZSetCommands.blockTimeout(c, c.argc() - 1);
        if (timeout < 0) {
            return;
        }
        for (int k = 1; k < c.argc() - 1; k++) {
            int r = findList(c, k);
            if (r < 0) {
                return;
            }
            if (r > 0) {
                c.out.array(2);
                c.out.bulk(c.argBuffer, c.off(k), c.len(k));
                popRange(c, c.coll, k, 1, head);
                return;
            }
        }
        ZSetCommands.blockOrNil(c, timeout);
    }

    // ------------------------------------------------------------------ moves

    /** LMOVE source destination LEFT|RIGHT LEFT|RIGHT. */
    static void lmove(Ctx c) {
        int from = side(c, 3);
        int to = from < 0 ? -1 : side(c, 4);
        if (to < 0) {
            return;
        }
        move(c, from == 1, to == 1, -1);
    }

    /** RPOPLPUSH source destination. */
    static void rpoplpush(Ctx c) {
        move(c, false, true, -1);
    }

    /** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout. */
    static void blmove(Ctx c) {
        int from = side(c, 3);
        int to = from < 0 ? -1 : side(c, 4);
        if (to < 0) {
            return;
        }
        long timeout = ZSetCommands.blockTimeout(c, 5);
        if (timeout < 0) {
            return;
        }
        move(c, from == 1, to == 1, timeout);
    }

    /** BRPOPLPUSH source destination timeout. */
    static void brpoplpush(Ctx c) {
        long timeout = ZSetCommands.blockTimeout(c, 3);
        if (timeout < 0) {
            return;
        }
        move(c, false, true, timeout);
    }

    /** 1 for LEFT, 0 for RIGHT, -1 (syntax error replied) for anything else. */
    private static int side(Ctx c, int arg) {
        if (c.argIs(arg, "LEFT")) {
            return 1;
        }
        if (c.argIs(arg, "RIGHT")) {
            return 0;
        }
        c.out.error(Errors.SYNTAX);
        return -1;
    }

    /**
     * Pops an element from one end of the source list and pushes it at one end of the destination; replies it.
     * {@code timeout} >= 0 for the blocking forms: an empty source then waits.
     */
    private static void move(Ctx c, boolean fromHead, boolean toHead, long timeout) {
        int r = findList(c, 1);
        if (r < 0) {
            return;
        }
        if (r == 0) {
            if (timeout >= 0 && !(c.inTransaction || c.session.inTransaction())) {
                c.session.block(timeout);
            } else {
                c.out.nil();
            }
            return;
        }
        CollectionView src = c.coll;
        boolean same = c.argsEqual(1, 2);
        int d = same ? 1 : findList(c, c.found2, c.coll2, 2);
        if (d < 0) {
            return;
        }
        long size = src.count();
        src.seekRank(fromHead ? 0 : size - 1);
        long popped = src.label();
        DirectBuffer v = src.payload();
        c.out.bulk(v, 0, v.capacity());
        if (same) {
            if (size == 1 || fromHead == toHead) {
                c.touch(1); // the list ends as it began, but WATCH sees a write
                return;
            }
            // A rotation: the rest of the list stays; the element goes to the other end.
            long label = pushStart(c, src, 1, c.found.expiry, toHead, 1, fromHead ? 1 : 0,
                    fromHead ? size - 1 : size - 2);
            boolean rewritten = c.listRewritten;
            src.seekRank(fromHead ? 0 : size - 1);
            v = src.payload();
            if (!rewritten) {
                c.beginElements(1, EffectCodec.OP_ELEMENTS_DEL, EntryType.LIST);
                logRemoved(c, popped);
            }
            c.beginElements(1, EffectCodec.OP_ELEMENTS_PUT, EntryType.LIST);
            logValue(c, label + (toHead ? -STRIDE : STRIDE), v, 0, v.capacity());
            return;
        }
        // Different keys: the push is logged first, so the value is copied out of the store before anything
        // changes; a source left empty is deleted.
        CollectionView dst = d == 1 ? c.coll2 : null;
        long dsize = d == 1 ? dst.count() : 0;
        long label = pushStart(c, dst, 2, c.found2.expiry, toHead, 1, 0, dsize - 1);
        c.beginElements(2, EffectCodec.OP_ELEMENTS_PUT, EntryType.LIST);
        logValue(c, label + (toHead ? -STRIDE : STRIDE), v, 0, v.capacity());
        c.beginElements(1, EffectCodec.OP_ELEMENTS_DEL, EntryType.LIST);
        logRemoved(c, popped);
        c.deleteIfEmptied(1, 1, size);
    }

    // ------------------------------------------------------------------ reads

    static void llen(Ctx c) {
        int r = findList(c, 1);
        if (r >= 0) {
            c.out.integer(r == 0 ? 0 : c.coll.count());
        }
    }

    static void lindex(Ctx c) {
        int r = findList(c, 1);
        if (r < 0) {
            return;
        }
        if (r == 0) {
            c.out.nil();
            return;
        }
        CollectionView l = c.coll;
        int at = seekIndex(c, l);
        if (at < 0) {
            return;
        }
        if (at == 0) {
            c.out.nil();
            return;
        }
        replyValue(c, l);
    }

    static void lrange(Ctx c) {
        if (!parseIndexes(c)) {
            return;
        }
        int r = findList(c, 1);
        if (r < 0) {
            return;
        }
        if (r == 0) {
            c.out.array(0);
            return;
        }
        CollectionView l = c.coll;
        if (!clampIndexes(c.indexes, l.count())) {
            c.out.array(0);
            return;
        }
        long start = c.indexes[0];
        long end = c.indexes[1];
        int n = (int) (end - start + 1);
        c.out.array(n);
        l.seekRank(start);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                l.nextInOrder();
            }
            replyValue(c, l);
        }
    }

    /**
     * Moves {@code l} to the index in argument 2 (negative ones count from the end): 1 when there is an element
     * there, 0 when not, -1 when the argument is no integer (the error replied).
     */
    private static int seekIndex(Ctx c, CollectionView l) {
        if (!c.parseLong(2)) {
            c.out.error(Errors.NOT_INTEGER);
            return -1;
        }
        long i = c.num.get();
        return l.seekRank(i < 0 ? i + l.count() : i) ? 1 : 0;
    }

    /** Reads LRANGE's and LTRIM's start and stop (arguments 2 and 3) into {@code c.indexes}; false with the error replied. */
    private static boolean parseIndexes(Ctx c) {
        for (int k = 0; k < 2; k++) {
            if (!c.parseLong(2 + k)) {
                c.out.error(Errors.NOT_INTEGER);
                return false;
            }
            c.indexes[k] = c.num.get();
        }
        return true;
    }

    /**
     * Turns {@code [start, stop]} into indexes of a list of {@code size} as Redis does (negative ones count from the
     * end, both are clamped); false when the range holds no element.
     */
    private static boolean clampIndexes(long[] ix, long size) {
        long start = ix[0] < 0 ? ix[0] + size : ix[0];
        long end = ix[1] < 0 ? ix[1] + size : ix[1];
        if (start < 0) {
            start = 0;
        }
        if (start > end || start >= size) {
            return false;
        }
        ix[0] = start;
        ix[1] = Math.min(end, size - 1);
        return true;
    }

    /** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]. */
    static void lpos(Ctx c) {
        long rank = 1;
        long count = -1;
        long maxlen = 0;
        for (int j = 3; j < c.argc(); j++) {
            boolean more = c.argc() - 1 - j > 0;
            if (c.argIs(j, "RANK") && more) {
                j++;
                if (!c.parseLong(j)) {
                    c.out.error(Errors.NOT_INTEGER);
                    return;
                }
                rank = c.num.get();
                if (rank == 0) {
                    c.out.error(RANK_ZERO);
                    return;
                }
            } else if (c.argIs(j, "COUNT") && more) {
                j++;
                if (!c.parseLong(j) || c.num.get() < 0) {
                    c.out.error(COUNT_NEGATIVE); // also for a count that is no integer, as in Redis 7.0
                    return;
                }
                count = c.num.get();
            } else if (c.argIs(j, "MAXLEN") && more) {
                j++;
                if (!c.parseLong(j) || c.num.get() < 0) {
                    c.out.error(MAXLEN_NEGATIVE);
                    return;
                }
                maxlen = c.num.get();
            } else {
                c.out.error(Errors.SYNTAX);
                return;
            }
        }
        boolean backwards = rank < 0;
        if (backwards) {
            rank = -rank; // Long.MIN_VALUE stays negative, as in Redis: every match then counts
        }
        int r = findList(c, 1);
        if (r < 0) {
            return;
        }
        if (r == 0) {
            if (count != -1) {
                c.out.array(0);
            } else {
                c.out.nil();
            }
            return;
        }
        // The reply's length comes before its elements: a first pass counts what the second replies.
        long found = lposScan(c, c.coll, backwards, rank, count, maxlen, -1);
        if (count == -1) {
            if (found >= 0) {
                c.out.integer(found);
            } else {
                c.out.nil();
            }
            return;
        }
        c.out.array((int) c.num.get());
        lposScan(c, c.coll, backwards, rank, count, maxlen, 1);
    }

    /**
     * One pass of LPOS as Redis's loop runs it (its arithmetic wraps alike): returns the index of the match
     * without COUNT (-1: none); with COUNT leaves how many it matched in {@code c.num}, and replies them when
     * {@code emit} is 1.
     */
    private static long lposScan(Ctx c, CollectionView l, boolean backwards, long rank, long count, long maxlen,
                                 int emit) {
        long size = l.count();
        long index = 0;
        long matches = 0;
        long matchIndex = -1;
        long arrayLength = 0;
        boolean more = l.seekRank(backwards ? size - 1 : 0);
        while (more && (maxlen == 0 || index < maxlen)) {
            if (valueIs(c, l, 2)) {
                matches++;
                matchIndex = backwards ? size - index - 1 : index;
                if (matches >= rank) {
                    if (count != -1) {
                        arrayLength++;
                        if (emit == 1) {
                            c.out.integer(matchIndex);
                        }
                        if (count != 0 && matches - rank + 1 >= count) {
                            break;
                        }
                    } else {
                        break;
                    }
                }
            }
            index++;
            matchIndex = -1;
            more = backwards ? l.prevInOrder() : l.nextInOrder();
        }
        c.num.set(arrayLength);
        return matchIndex;
    }

    // ------------------------------------------------------------------ changes in the middle

    static void lset(Ctx c) {
        int r = findList(c, 1);
        if (r < 0) {
            return;
        }
        if (r == 0) {
            c.out.error(Errors.NO_SUCH_KEY);
            return;
        }
        CollectionView l = c.coll;
        int at = seekIndex(c, l);
        if (at < 0) {
            return;
        }
        if (at == 0) {
            c.out.error(OUT_OF_RANGE);
            return;
        }
        c.beginElements(1, EffectCodec.OP_ELEMENTS_PUT, EntryType.LIST);
        logValue(c, l.label(), c.argBuffer, c.off(3), c.len(3));
        c.out.simple("OK");
    }

    /** LINSERT key BEFORE|AFTER pivot element: the new length, -1 without the pivot, 0 without the key. */
    static void linsert(Ctx c) {
        boolean after;
        if (c.argIs(2, "AFTER")) {
            after = true;
        } else if (c.argIs(2, "BEFORE")) {
            after = false;
        } else {
            c.out.error(Errors.SYNTAX);
            return;
        }
        int r = findList(c, 1);
        if (r < 0) {
            return;
        }
        if (r == 0) {
            c.out.integer(0);
            return;
        }
        CollectionView l = c.coll;
        long size = l.count();
        long pivot = -1;
        boolean more = l.seekRank(0);
        for (long i = 0; more; i++) {
            if (valueIs(c, l, 3)) {
                pivot = i;
                break;
            }
            more = l.nextInOrder();
        }
        if (pivot < 0) {
            c.out.integer(-1);
            return;
        }
        long at = after ? pivot + 1 : pivot; // the new element's index
        insertAt(c, l, at, size);
        c.out.integer(size + 1);
    }

    /** Logs the insertion of argument 4 as the element at index {@code at} of the list (of {@code size}). */
    private static void insertAt(Ctx c, CollectionView l, long at, long size) {
        if (at == 0 || at == size) {
            boolean head = at == 0;
            long label = pushStart(c, l, 1, c.found.expiry, head, 1, 0, size - 1);
            c.beginElements(1, EffectCodec.OP_ELEMENTS_PUT, EntryType.LIST);
            logValue(c, label + (head ? -STRIDE : STRIDE), c.argBuffer, c.off(4), c.len(4));
            return;
        }
        l.seekRank(at - 1);
        long a = l.label();
        l.nextInOrder();
        long b = l.label();
        if (b - a >= 2) {
            c.beginElements(1, EffectCodec.OP_ELEMENTS_PUT, EntryType.LIST);
            logValue(c, a + (b - a) / 2, c.argBuffer, c.off(4), c.len(4));
            return;
        }
        // No label between the neighbours: relabel the elements of the smallest aligned label range around the
        // spot that is not too crowded, as in order-maintenance list labelling (Bender et al., "Two simplified
        // algorithms for maintaining order in a list"): a range of 2^i labels may hold (2 / T)^i elements, so
        // crowding one spot relabels ranges that double, each rarely, for O(log n) relabelled elements an
        // insert, amortised. Pushes, STRIDE = 2^16 apart, stay under those limits in ranges up to 2^60.
        long offset = a - CollectionView.LABEL_MIN;
        for (int i = 1; i < 64; i++) {
            long span = 1L << i; // 2^63 for i = 63: read unsigned
            long from = CollectionView.LABEL_MIN + (offset & -span);
            long to = from + (span - 1);
            double limit = Math.pow(2 / RELABEL_T, i);
            // Count the elements with labels in [from, to], outward from the spot, while under the limit.
            long count = 0;
            long lo = at;
            if (l.seekRank(at - 1)) {
                do {
                    if (l.label() < from || count + 1 >= limit) {
                        break;
                    }
                    lo--;
                    count++;
                } while (l.prevInOrder());
            }
            long hi = at - 1;
            if (count + 1 < limit && l.seekRank(at)) {
                do {
                    if (l.label() > to || count + 1 >= limit) {
                        break;
                    }
                    hi++;
                    count++;
                } while (l.nextInOrder());
            }
            if (count + 1 <= limit && (lo == 0 || labelAt(l, lo - 1) < from)
                    && (hi == size - 1 || labelAt(l, hi + 1) > to)) {
                long gap = Long.divideUnsigned(span, count + 1);
                relabel(c, l, at, lo, hi, size, from + gap / 2, gap);
                return;
            }
        }
        // Not reached below 2^44 elements; beyond, a window around the spot grows until it has room.
        for (long k = 2; ; k *= 2) {
            long lo = Math.max(0, at - k); // first element relabelled
            long hi = Math.min(size - 1, at + k - 1); // last element relabelled
            boolean whole = lo == 0 && hi == size - 1;
            l.seekRank(lo);
            long first = l.label();
            l.seekRank(hi);
            long last = l.label();
            // Exclusive bounds: the neighbours' labels, or past an end as far as STRIDE per element allows.
            long m = hi - lo + 2; // elements to place
            long below = lo > 0 ? labelAt(l, lo - 1) : Math.max(CollectionView.LABEL_MIN - 1, first - m * STRIDE);
            long above = hi < size - 1 ? labelAt(l, hi + 1) : Math.min(CollectionView.LABEL_MAX + 1, last + m * STRIDE);
            long gap = Long.divideUnsigned(above - below, m + 1); // the difference may pass 2^63
            if (gap >= MIN_GAP || (whole && gap >= 1)) {
                relabel(c, l, at, lo, hi, size, below + gap, gap);
                return;
            }
            if (whole) {
                throw new IllegalStateException("a list of " + size + " elements has no room for labels");
            }
        }
    }

    /**
     * Logs the insertion of argument 4 at index {@code at} together with the relabelling of elements
     * {@code lo..hi} (around it): all of them, the new one included, get labels {@code first}, {@code first + gap},
     * ... When they are the whole list, the key is rewritten (deleting each element would delete the key and its
     * TTL); else their old labels are deleted and the new ones put.
     */
    private static void relabel(Ctx c, CollectionView l, long at, long lo, long hi, long size, long first,
                                long gap) {
        boolean whole = lo == 0 && hi == size - 1;
        if (whole) {
            c.delete(1);
        } else if (hi >= lo) {
            c.beginElements(1, EffectCodec.OP_ELEMENTS_DEL, EntryType.LIST);
            l.seekRank(lo);
            for (long i = lo; i <= hi; i++) {
                if (i > lo) {
                    l.nextInOrder();
                }
                logRemoved(c, l.label());
            }
        }
        c.beginElements(1, EffectCodec.OP_ELEMENTS_PUT, EntryType.LIST);
        l.seekRank(lo);
        long label = first;
        for (long i = lo; i <= hi + 1; i++, label += gap) {
            if (i == at) {
                logValue(c, label, c.argBuffer, c.off(4), c.len(4));
                continue;
            }
            DirectBuffer v = l.payload();
            logValue(c, label, v, 0, v.capacity());
            l.nextInOrder();
        }
        if (whole && c.found.expiry != 0) {
            c.expire(1, c.found.expiry);
        }
    }

    private static long labelAt(CollectionView l, long i) {
        l.seekRank(i);
        return l.label();
    }

    /** LREM key count element: removes up to count matches from the head (count < 0: the tail; 0: all). */
    static void lrem(Ctx c) {
        if (!c.parseLong(2)) {
            c.out.error(Errors.NOT_INTEGER);
            return;
        }
        long toRemove = c.num.get();
        int r = findList(c, 1);
        if (r < 0) {
            return;
        }
        if (r == 0) {
            c.out.integer(0);
            return;
        }
        boolean backwards = toRemove < 0;
        if (backwards) {
            toRemove = toRemove == Long.MIN_VALUE ? Long.MAX_VALUE : -toRemove;
        }
        CollectionView l = c.coll;
        long size = l.count();
        long removed = 0;
        boolean more = l.seekRank(backwards ? size - 1 : 0);
        while (more) {
            if (valueIs(c, l, 3)) {
                if (removed == 0) {
                    c.beginElements(1, EffectCodec.OP_ELEMENTS_DEL, EntryType.LIST);
                }
                logRemoved(c, l.label());
                removed++;
                if (toRemove != 0 && removed == toRemove) {
                    break;
                }
            }
            more = backwards ? l.prevInOrder() : l.nextInOrder();
        }
        c.deleteIfEmptied(1, removed, size);
        c.out.integer(removed);
    }

    /** LTRIM key start stop. */
    static void ltrim(Ctx c) {
        if (!parseIndexes(c)) {
            return;
        }
        int r = findList(c, 1);
        if (r < 0) {
            return;
        }
        if (r == 0) {
            c.out.simple("OK");
            return;
        }
        CollectionView l = c.coll;
        long size = l.count();
        long left = size; // an empty range removes everything
        long right = 0;
        if (clampIndexes(c.indexes, size)) {
            left = c.indexes[0];
            right = size - c.indexes[1] - 1;
        }
        if (left + right > 0) {
            c.beginElements(1, EffectCodec.OP_ELEMENTS_DEL, EntryType.LIST);
            if (left > 0) {
                l.seekRank(0);
                for (long i = 0; i < left; i++) {
                    if (i > 0) {
                        l.nextInOrder();
                    }
                    logRemoved(c, l.label());
                }
            }
            if (right > 0) {
                l.seekRank(size - right);
                for (long i = 0; i < right; i++) {
                    if (i > 0) {
                        l.nextInOrder();
                    }
                    logRemoved(c, l.label());
                }
            }
            c.deleteIfEmptied(1, left + right, size);
        } else {
            c.touch(1); // nothing removed, but WATCH sees a write
        }
        c.out.simple("OK");
    }
}
