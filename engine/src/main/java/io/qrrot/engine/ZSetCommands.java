package io.qrrot.engine;

import io.qrrot.engine.store.CollectionView;
import io.qrrot.engine.store.EntryType;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The sorted-set commands, with Redis 7.0's replies and errors. A member's score is its payload (8 bytes, a
 * little-endian double). A write logs the members it set with their resulting scores (ZINCRBY its result, not
 * the increment) as one ELEMENTS_PUT op, or the members it removed (ZREM, ZPOP*, ZREMRANGE*) as one
 * ELEMENTS_DEL op, never the whole set; a command that empties the set also logs the key's DEL, and a STORE
 * command a DEL of its destination before the result's members. Ranges are read in (score, member) order from
 * the store's order ({@link CollectionView#seekRank}, {@link CollectionView#countBelow}): O(log n) to find
 * where a range starts in a large set. Scores are parsed and printed as Redis does ({@link Scores}).
 *
 * <p>Arguments are checked in Redis's order (options, then numbers, then the key's type), so the same bad
 * command gets the same error from both.
 */
final class ZSetCommands {
    static final String XX_NX = "ERR XX and NX options at the same time are not compatible";
    static final String GT_LT_NX = "ERR GT, LT, and/or NX options at the same time are not compatible";
    static final String INCR_PAIRS = "ERR INCR option supports a single increment-element pair";
    static final String NAN_RESULT = "ERR resulting score is not a number (NaN)";
    static final String MIN_MAX_FLOAT = "ERR min or max is not a float";
    static final String MIN_MAX_LEX = "ERR min or max not valid string range item";
    static final String LIMIT_WITH_RANK =
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
    static final String WITHSCORES_BYLEX = "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
    static final String WEIGHT_FLOAT = "ERR weight value is not a float";
    static final String NUMKEYS = "ERR numkeys should be greater than 0";
    static final String COUNT_POSITIVE = "ERR count should be greater than 0";
    static final String LIMIT_NEGATIVE = "ERR LIMIT can't be negative";

    private ZSetCommands() {
    }

    /**
     * Looks up key argument {@code i} as a sorted set: 1 when it exists ({@link Ctx#coll} then shows it), 0 when
     * it does not, -1 when it holds another type (WRONGTYPE has been replied).
     */
    private static int findZset(Ctx c, int i) {
        if (!c.find(i)) {
            return 0;
        }
        if (c.found.type != EntryType.ZSET) {
            c.out.error(Errors.WRONGTYPE);
            return -1;
        }
        c.coll.wrap(c.found.view);
        return 1;
    }

    /** Replies a score as Redis's addReplyDouble: {@code %.17g}, a bulk string in RESP2, a double in RESP3. */
    static void replyScore(Ctx c, double score) {
        int n = c.printer.format(score, c.scoreText, 0);
        c.out.doubleText(c.scoreText, 0, n);
    }

    /** Adds a member with its score to the ELEMENTS_PUT op being built. */
    private static void logMember(Ctx c, DirectBuffer m, int off, int len, double score) {
        c.scoreBytes.putLong(0, Double.doubleToRawLongBits(score), ByteOrder.LITTLE_ENDIAN);
        c.effect.addElement(m, off, len, c.scoreBytes, 0, EntryType.SCORE_BYTES);
    }

    // ------------------------------------------------------------------ ZADD, ZINCRBY

    static void zadd(Ctx c) {
        add(c, false);
    }

    static void zincrby(Ctx c) {
        add(c, true);
    }

    /** Redis's zaddGenericCommand and zsetAdd: options, every score checked, then the members one by one. */
    private static void add(Ctx c, boolean zincrby) {
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        boolean ch = false;
        boolean incr = zincrby;
        int scoreIdx = 2;
        while (!zincrby && scoreIdx < c.argc()) {
            if (c.argIs(scoreIdx, "NX")) {
                nx = true;
            } else if (c.argIs(scoreIdx, "XX")) {
                xx = true;
            } else if (c.argIs(scoreIdx, "CH")) {
                ch = true;
            } else if (c.argIs(scoreIdx, "INCR")) {
                incr = true;
            } else if (c.argIs(scoreIdx, "GT")) {
                gt = true;
            } else if (c.argIs(scoreIdx, "LT")) {
                lt = true;
            } else {
                break;
            }
            scoreIdx++;
        }
        int elements = c.argc() - scoreIdx;
        if (elements % 2 != 0 || elements == 0) {
            c.out.error(Errors.SYNTAX);
            return;
        }
        elements /= 2;
        if (nx && xx) {
            c.out.error(XX_NX);
            return;
        }
        if ((gt && nx) || (lt && nx) || (gt && lt)) {
            c.out.error(GT_LT_NX);
            return;
        }
        if (incr && elements > 1) {
            c.out.error(INCR_PAIRS);
            return;
        }
        for (int j = 0; j < elements; j++) {
            int a = scoreIdx + 2 * j;
            if (Double.isNaN(Scores.parse(c.argBuffer, c.off(a), c.len(a)))) {
                c.out.error(Errors.NOT_FLOAT);
                return;
            }
        }
        int r = findZset(c, 1);
        if (r < 0) {
            return;
        }
        if (r == 0 && xx) {
            if (incr) {
                c.out.nil();
            } else {
                c.out.integer(0);
            }
            return;
        }
        // A member named twice sees what the earlier pair did: reads do not see this command's own element ops.
        boolean[] existsAfter = elements > 1 ? new boolean[elements] : null;
        double[] scoreAfter = elements > 1 ? new double[elements] : null;
        if (elements > 1) {
            c.startSeen();
        }
        int added = 0;
        int updated = 0;
        int processed = 0;
        boolean logging = false;
        double result = 0;
        CollectionView z = c.coll;
        Packing packing = c.packing.start(c, r > 0 ? z.encoding() == EntryType.ENCODING_PACKED : true,
                r > 0 ? z.count() : 0);
        for (int j = 0; j < elements; j++) {
            int sa = scoreIdx + 2 * j;
            int ma = sa + 1;
            double score = Scores.parse(c.argBuffer, c.off(sa), c.len(sa));
            boolean exists;
            double cur = 0;
            int earlier = elements > 1 && c.seenBefore(ma, scoreIdx + 1, 2) ? earlierPair(c, ma, scoreIdx) : -1;
            if (earlier >= 0) {
                exists = existsAfter[earlier];
                cur = scoreAfter[earlier];
            } else {
                exists = r > 0 && z.find(c.argBuffer, c.off(ma), c.len(ma));
                if (exists) {
                    cur = z.score();
                }
            }
            boolean set = false; // whether this pair changes the member's score (or adds it)
            double next = cur;
            if (exists) {
                if (!nx) {
                    double candidate = incr ? cur + score : score;
                    if (Double.isNaN(candidate)) {
                        c.out.error(NAN_RESULT); // INCR has one pair only: nothing was logged
                        return;
                    }
                    if (!((lt && candidate >= cur) || (gt && candidate <= cur))) {
                        processed++;
                        result = candidate;
                        if (candidate != cur) {
                            updated++;
                            next = candidate;
                            set = true;
                        }
                    }
                }
            } else if (!xx) {
                processed++;
                added++;
                result = score;
                next = score;
                exists = true;
                set = true;
                packing.add(c.len(ma));
            }
            if (set) {
                if (!logging) {
                    c.beginElements(1, EffectCodec.OP_ELEMENTS_PUT, EntryType.ZSET);
                    logging = true;
                }
                next = packing.stored(next);
                logMember(c, c.argBuffer, c.off(ma), c.len(ma), next);
            }
            if (existsAfter != null) {
                existsAfter[j] = exists;
                scoreAfter[j] = next;
            }
        }
        if (incr) {
            if (processed > 0) {
                replyScore(c, result);
            } else {
                c.out.nil();
            }
        } else {
            c.out.integer(ch ? added + updated : added);
        }
    }

    /**
     * Follows a sorted set's encoding through the members a command adds, as Redis's zsetAdd converts a listpack
     * (past {@code zset-max-listpack-entries} members or at a member longer than {@code zset-max-listpack-value}),
     * to log the score a member ends up with: a listpack keeps an integral score as an integer, so -0 goes in as
     * 0, where a skiplist keeps -0. The store keeps whatever score it is given, so memory, replay and snapshots
     * all hold the logged one.
     */
    static final class Packing {
        private boolean packed;
        private long count;
        private int maxEntries;
        private int maxLength;

        Packing start(Ctx c, boolean packed, long count) {
            this.packed = packed;
            this.count = count;
            this.maxEntries = c.engine.maxPackedEntries(EntryType.ZSET);
            this.maxLength = c.engine.maxPackedLength(EntryType.ZSET);
            return this;
        }

        /** A new member of {@code length} bytes joins the set: a listpack it does not fit converts first. */
        void add(int length) {
            if (packed && (count + 1 > maxEntries || length > maxLength)) {
                packed = false;
            }
            count++;
        }

        /** The score a member set now is stored with: -0 is 0 in a listpack. */
        double stored(double score) {
            return packed && score == 0 ? 0.0 : score;
        }
    }

    /** Whether Redis creates a sorted set of {@code size} members, the longest {@code longest} bytes, as a skiplist. */
    private static boolean createsTable(Ctx c, long size, long longest) {
        return size > c.engine.maxPackedEntries(EntryType.ZSET) || longest > c.engine.maxPackedLength(EntryType.ZSET);
    }

    /** The type byte of an ELEMENTS_PUT of sorted-set members, flagged to create a missing key as a table. */
    private static byte zsetType(boolean asTable) {
        return (byte) (EntryType.ZSET | (asTable ? EffectCodec.AS_TABLE : 0));
    }

    /** The index of the last pair before the one whose member is argument {@code ma} that names it too. */
    private static int earlierPair(Ctx c, int ma, int scoreIdx) {
        for (int a = ma - 2; a > scoreIdx; a -= 2) {
            if (c.argsEqual(a, ma)) {
                return (a - scoreIdx - 1) / 2;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------ simple reads and ZREM

    static void zrem(Ctx c) {
        int r = findZset(c, 1);
        if (r >= 0) {
            HashCommands.removeElements(c, r, EntryType.ZSET);
        }
    }

    static void zcard(Ctx c) {
        int r = findZset(c, 1);
        if (r >= 0) {
            c.out.integer(r > 0 ? c.coll.count() : 0);
        }
    }

    static void zscore(Ctx c) {
        int r = findZset(c, 1);
        if (r < 0) {
            return;
        }
        if (r > 0 && c.coll.find(c.argBuffer, c.off(2), c.len(2))) {
            replyScore(c, c.coll.score());
        } else {
            c.out.nil();
        }
    }

    static void zmscore(Ctx c) {
        int r = findZset(c, 1);
        if (r < 0) {
            return;
        }
        c.out.array(c.argc() - 2);
        for (int i = 2; i < c.argc(); i++) {
            if (r > 0 && c.coll.find(c.argBuffer, c.off(i), c.len(i))) {
                replyScore(c, c.coll.score());
            } else {
                c.out.nil();
            }
        }
    }

    static void zrank(Ctx c) {
        rank(c, false);
    }

    static void zrevrank(Ctx c) {
        rank(c, true);
    }

    private static void rank(Ctx c, boolean reverse) {
        int r = findZset(c, 1);
        if (r < 0) {
            return;
        }
        if (r > 0 && c.coll.find(c.argBuffer, c.off(2), c.len(2))) {
            long rank = c.coll.rank();
            c.out.integer(reverse ? c.coll.count() - 1 - rank : rank);
        } else {
            c.out.nil();
        }
    }

    // ------------------------------------------------------------------ ranges

    /** A score range as zslParseRange reads it. */
    static final class ScoreRange {
        double min;
        double max;
        boolean minex;
        boolean maxex;
    }

    /** A lexicographic range as zslParseLexRange reads it: a bound is -1 for "-", +1 for "+", 0 for bytes. */
    static final class LexRange {
        int minKind;
        int maxKind;
        boolean minex;
        boolean maxex;
        int minArg;
        int maxArg;
    }

    private static boolean parseScoreRange(Ctx c, int minArg, int maxArg, ScoreRange r) {
        return parseScoreBound(c, minArg, r, true) && parseScoreBound(c, maxArg, r, false);
    }

    private static boolean parseScoreBound(Ctx c, int arg, ScoreRange r, boolean min) {
        int off = c.off(arg);
        int len = c.len(arg);
        boolean ex = len > 0 && c.argBuffer.getByte(off) == '(';
        double v = ex ? Scores.parseBound(c.argBuffer, off + 1, len - 1) : Scores.parseBound(c.argBuffer, off, len);
        if (Double.isNaN(v)) {
            return false;
        }
        if (min) {
            r.min = v;
            r.minex = ex;
        } else {
            r.max = v;
            r.maxex = ex;
        }
        return true;
    }

    private static boolean parseLexRange(Ctx c, int minArg, int maxArg, LexRange r) {
        r.minArg = minArg;
        r.maxArg = maxArg;
        int min = lexBound(c, minArg);
        int max = lexBound(c, maxArg);
        if (min == Integer.MIN_VALUE || max == Integer.MIN_VALUE) {
            return false;
        }
        r.minKind = min == 2 ? 0 : min;
        r.maxKind = max == 2 ? 0 : max;
        r.minex = min == 0;
        r.maxex = max == 0;
        return true;
    }

    /** -1 for "-", +1 for "+", 0 for "(bytes", 2 for "[bytes", MIN_VALUE when invalid. */
    private static int lexBound(Ctx c, int arg) {
        int len = c.len(arg);
        if (len == 0) {
            return Integer.MIN_VALUE;
        }
        byte first = c.argBuffer.getByte(c.off(arg));
        switch (first) {
            case '+': // Redis checks that the C string ends after it: a NUL byte ends it too
                return len == 1 || c.argBuffer.getByte(c.off(arg) + 1) == 0 ? 1 : Integer.MIN_VALUE;
            case '-':
                return len == 1 || c.argBuffer.getByte(c.off(arg) + 1) == 0 ? -1 : Integer.MIN_VALUE;
            case '(':
                return 0;
            case '[':
                return 2;
            default:
                return Integer.MIN_VALUE;
        }
    }

    /** Rank of the first member in a score range. */
    private static long firstRank(CollectionView z, ScoreRange r) {
        return z.countBelow(r.min, r.minex);
    }

    /** One past the rank of the last member in a score range. */
    private static long endRank(CollectionView z, ScoreRange r) {
        return z.countBelow(r.max, !r.maxex);
    }

    private static long firstRank(Ctx c, CollectionView z, LexRange r) {
        if (r.minKind != 0) {
            return r.minKind < 0 ? 0 : z.count();
        }
        return z.countBelowLex(c.argBuffer, c.off(r.minArg) + 1, c.len(r.minArg) - 1, r.minex);
    }

    private static long endRank(Ctx c, CollectionView z, LexRange r) {
        if (r.maxKind != 0) {
            return r.maxKind < 0 ? 0 : z.count();
        }
        return z.countBelowLex(c.argBuffer, c.off(r.maxArg) + 1, c.len(r.maxArg) - 1, !r.maxex);
    }

    static void zcount(Ctx c) {
        ScoreRange range = c.scoreRange;
        if (!parseScoreRange(c, 2, 3, range)) {
            c.out.error(MIN_MAX_FLOAT);
            return;
        }
        int r = findZset(c, 1);
        if (r < 0) {
            return;
        }
        c.out.integer(r == 0 ? 0 : Math.max(0, endRank(c.coll, range) - firstRank(c.coll, range)));
    }

    static void zlexcount(Ctx c) {
        LexRange range = c.lexRange;
        if (!parseLexRange(c, 2, 3, range)) {
            c.out.error(MIN_MAX_LEX);
            return;
        }
        int r = findZset(c, 1);
        if (r < 0) {
            return;
        }
        c.out.integer(r == 0 ? 0 : Math.max(0, endRank(c, c.coll, range) - firstRank(c, c.coll, range)));
    }

    private enum RangeType { AUTO, RANK, SCORE, LEX }

    private enum Direction { AUTO, FORWARD, REVERSE }

    static void zrange(Ctx c) {
        range(c, 1, -1, RangeType.AUTO, Direction.AUTO);
    }

    static void zrangestore(Ctx c) {
        range(c, 2, 1, RangeType.AUTO, Direction.AUTO);
    }

    static void zrevrange(Ctx c) {
        range(c, 1, -1, RangeType.RANK, Direction.REVERSE);
    }

    static void zrangebyscore(Ctx c) {
        range(c, 1, -1, RangeType.SCORE, Direction.FORWARD);
    }

    static void zrevrangebyscore(Ctx c) {
        range(c, 1, -1, RangeType.SCORE, Direction.REVERSE);
    }

    static void zrangebylex(Ctx c) {
        range(c, 1, -1, RangeType.LEX, Direction.FORWARD);
    }

    static void zrevrangebylex(Ctx c) {
        range(c, 1, -1, RangeType.LEX, Direction.REVERSE);
    }

    /**
     * Redis's zrangeGenericCommand: the source key is argument {@code keyArg}, its range the two after it, then
     * options; {@code store} is the destination key argument (ZRANGESTORE) or -1 to reply the range.
     */
    private static void range(Ctx c, int keyArg, int store, RangeType type, Direction direction) {
        int minArg = keyArg + 1;
        int maxArg = keyArg + 2;
        boolean withScores = false;
        long offset = 0;
        long limit = -1;
        for (int j = keyArg + 3; j < c.argc(); j++) {
            int left = c.argc() - j - 1;
            if (store < 0 && c.argIs(j, "WITHSCORES")) {
                withScores = true;
            } else if (c.argIs(j, "LIMIT") && left >= 2) {
                if (!c.parseLong(j + 1)) {
                    c.out.error(Errors.NOT_INTEGER);
                    return;
                }
                offset = c.num.get();
                if (!c.parseLong(j + 2)) {
                    c.out.error(Errors.NOT_INTEGER);
                    return;
                }
                limit = c.num.get();
                j += 2;
            } else if (direction == Direction.AUTO && c.argIs(j, "REV")) {
                direction = Direction.REVERSE;
            } else if (type == RangeType.AUTO && c.argIs(j, "BYLEX")) {
                type = RangeType.LEX;
            } else if (type == RangeType.AUTO && c.argIs(j, "BYSCORE")) {
                type = RangeType.SCORE;
            } else {
                c.out.error(Errors.SYNTAX);
                return;
            }
        }
        if (direction == Direction.AUTO) {
            direction = Direction.FORWARD;
        }
        if (type == RangeType.AUTO) {
            type = RangeType.RANK;
        }
        if (limit != -1 && type == RangeType.RANK) {
            c.out.error(LIMIT_WITH_RANK);
            return;
        }
        if (withScores && type == RangeType.LEX) {
            c.out.error(WITHSCORES_BYLEX);
            return;
        }
        boolean reverse = direction == Direction.REVERSE;
        if (reverse && type != RangeType.RANK) {
            int t = maxArg; // the range is given as max, min
            maxArg = minArg;
            minArg = t;
        }
        long start = 0;
        long end = 0;
        ScoreRange scores = c.scoreRange;
        LexRange lex = c.lexRange;
        switch (type) {
            case SCORE -> {
                if (!parseScoreRange(c, minArg, maxArg, scores)) {
                    c.out.error(MIN_MAX_FLOAT);
                    return;
                }
            }
            case LEX -> {
                if (!parseLexRange(c, minArg, maxArg, lex)) {
                    c.out.error(MIN_MAX_LEX);
                    return;
                }
            }
            default -> {
                if (!c.parseLong(minArg)) {
                    c.out.error(Errors.NOT_INTEGER);
                    return;
                }
                start = c.num.get();
                if (!c.parseLong(maxArg)) {
                    c.out.error(Errors.NOT_INTEGER);
                    return;
                }
                end = c.num.get();
            }
        }
        int r = findZset(c, keyArg);
        if (r < 0) {
            return;
        }
        if (r == 0) {
            if (store >= 0) {
                storeResult(c, store, List.of(), null, false);
            } else {
                c.out.array(0);
            }
            return;
        }
        CollectionView z = c.coll;
        long size = z.count();
        // The ranks to emit: n of them from rank `from`, going down when reverse.
        long from;
        long n;
        if (type == RangeType.RANK) {
            n = rankSpan(c, start, end, size);
            from = reverse ? size - 1 - c.num.get() : c.num.get();
        } else {
            long first = type == RangeType.SCORE ? firstRank(z, scores) : firstRank(c, z, lex);
            long past = type == RangeType.SCORE ? endRank(z, scores) : endRank(c, z, lex);
            long inRange = Math.max(0, past - first);
            if (offset < 0 || offset >= inRange) {
                n = 0;
                from = 0;
            } else {
                n = inRange - offset;
                if (limit >= 0) {
                    n = Math.min(n, limit);
                }
                from = reverse ? past - 1 - offset : first + offset;
            }
        }
        if (store >= 0) {
            List<byte[]> members = new ArrayList<>((int) n);
            double[] values = new double[(int) n];
            if (n > 0) {
                z.seekRank(from);
                for (int i = 0; i < n; i++) {
                    if (i > 0) {
                        step(z, reverse);
                    }
                    members.add(RandomElements.bytes(z.element()));
                    values[i] = z.score();
                }
            }
            // ZRANGESTORE: a skiplist at once when the range is longer than zset-max-listpack-entries (zsetTypeCreate).
            storeResult(c, store, members, values, createsTable(c, n, 0));
            return;
        }
        emit(c, z, from, n, reverse, withScores);
    }

    /**
     * Redis's rank range over a set of {@code size}: {@code start} and {@code end} inclusive, negative ones
     * counted from the end, clamped to the set. Returns how many members it holds (0 when empty) and leaves
     * the first one's rank in {@link Ctx#num}.
     */
    private static long rankSpan(Ctx c, long start, long end, long size) {
        if (start < 0) {
            start = size + start;
        }
        if (end < 0) {
            end = size + end;
        }
        if (start < 0) {
            start = 0;
        }
        c.num.set(start);
        if (start > end || start >= size) {
            return 0;
        }
        return Math.min(end, size - 1) - start + 1;
    }

    private static void step(CollectionView z, boolean reverse) {
        if (reverse) {
            z.prevInOrder();
        } else {
            z.nextInOrder();
        }
    }

    /** Replies {@code n} members from rank {@code from} (down when {@code reverse}), with their scores or not. */
    private static void emit(Ctx c, CollectionView z, long from, long n, boolean reverse, boolean withScores) {
        int count = Math.toIntExact(n);
        if (withScores) {
            c.out.pairs(count);
        } else {
            c.out.array(count);
        }
        if (count == 0) {
            return;
        }
        z.seekRank(from);
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                step(z, reverse);
            }
            if (withScores) {
                c.out.pair();
            }
            DirectBuffer m = z.element();
            c.out.bulk(m, 0, m.capacity());
            if (withScores) {
                replyScore(c, z.score());
            }
        }
    }

    /**
     * Replaces key argument {@code dst} with a sorted set of {@code members} (with {@code scores}, added in this
     * order, to a table from the start when {@code asTable}; a DEL when there are none) and replies their number.
     */
    private static void storeResult(Ctx c, int dst, List<byte[]> members, double[] scores, boolean asTable) {
        if (c.find(c.found2, dst)) {
            c.delete(dst);
        }
        if (!members.isEmpty()) {
            c.beginElements(dst, EffectCodec.OP_ELEMENTS_PUT, zsetType(asTable));
            UnsafeBuffer b = new UnsafeBuffer(0, 0);
            Packing packing = c.packing.start(c, !asTable, 0);
            for (int i = 0; i < members.size(); i++) {
                byte[] m = members.get(i);
                b.wrap(m);
                packing.add(m.length);
                logMember(c, b, 0, m.length, packing.stored(scores[i]));
            }
        }
        c.out.integer(members.size());
    }

    // ------------------------------------------------------------------ ZREMRANGEBY*

    static void zremrangebyrank(Ctx c) {
        removeRange(c, RangeType.RANK);
    }

    static void zremrangebyscore(Ctx c) {
        removeRange(c, RangeType.SCORE);
    }

    static void zremrangebylex(Ctx c) {
        removeRange(c, RangeType.LEX);
    }

    private static void removeRange(Ctx c, RangeType type) {
        long start = 0;
        long end = 0;
        ScoreRange scores = c.scoreRange;
        LexRange lex = c.lexRange;
        if (type == RangeType.RANK) {
            if (!c.parseLong(2)) {
                c.out.error(Errors.NOT_INTEGER);
                return;
            }
            start = c.num.get();
            if (!c.parseLong(3)) {
                c.out.error(Errors.NOT_INTEGER);
                return;
            }
            end = c.num.get();
        } else if (type == RangeType.SCORE) {
            if (!parseScoreRange(c, 2, 3, scores)) {
                c.out.error(MIN_MAX_FLOAT);
                return;
            }
        } else if (!parseLexRange(c, 2, 3, lex)) {
            c.out.error(MIN_MAX_LEX);
            return;
        }
        int r = findZset(c, 1);
        if (r <= 0) {
            if (r == 0) {
                c.out.integer(0);
            }
            return;
        }
        CollectionView z = c.coll;
        long size = z.count();
        long from;
        long n;
        if (type == RangeType.RANK) {
            n = rankSpan(c, start, end, size);
            from = c.num.get();
        } else {
            from = type == RangeType.SCORE ? firstRank(z, scores) : firstRank(c, z, lex);
            long past = type == RangeType.SCORE ? endRank(z, scores) : endRank(c, z, lex);
            n = Math.max(0, past - from);
        }
        removeRanks(c, z, 1, from, n, false);
        c.deleteIfEmptied(1, n, size);
        c.out.integer(n);
    }

    /** Logs the removal of {@code n} members of key argument {@code keyArg} from rank {@code from}. */
    private static void removeRanks(Ctx c, CollectionView z, int keyArg, long from, long n, boolean reverse) {
        if (n == 0) {
            return;
        }
        c.beginElements(keyArg, EffectCodec.OP_ELEMENTS_DEL, EntryType.ZSET);
        z.seekRank(from);
        for (long i = 0; i < n; i++) {
            if (i > 0) {
                step(z, reverse);
            }
            DirectBuffer m = z.element();
            c.effect.addRemoved(m, 0, m.capacity());
        }
    }

    // ------------------------------------------------------------------ pops

    static void zpopmin(Ctx c) {
        popMinMax(c, false);
    }

    static void zpopmax(Ctx c) {
        popMinMax(c, true);
    }

    /** ZPOPMIN/ZPOPMAX key [count]: a flat array; with a count, pairs in RESP3. */
    private static void popMinMax(Ctx c, boolean max) {
        if (c.argc() > 3) {
            c.out.error(Errors.SYNTAX);
            return;
        }
        long count = 1;
        boolean counted = c.argc() == 3;
        if (counted) {
            if (!c.parseLong(2)) {
                c.out.error(SetCommands.MUST_BE_POSITIVE); // getPositiveLongFromObjectOrReply says so for both
                return;
            }
            count = c.num.get();
            if (count < 0) {
                c.out.error(SetCommands.MUST_BE_POSITIVE);
                return;
            }
        }
        int r = findZset(c, 1);
        if (r < 0) {
            return;
        }
        if (r == 0 || count == 0) {
            c.out.array(0);
            return;
        }
        CollectionView z = c.coll;
        long size = z.count();
        int n = (int) Math.min(count, size);
        if (counted) {
            c.out.pairs(n);
        } else {
            c.out.array(2 * n);
        }
        pop(c, z, 1, n, max, counted ? PAIRS : FLAT);
        c.deleteIfEmptied(1, n, size);
    }

    /** Pop replies: member, score, … flat; as RESP3 pairs ({@link ReplySink#pairs}); nested arrays always. */
    private static final int FLAT = 0;
    private static final int PAIRS = 1;
    private static final int NESTED = 2;

    /**
     * Replies and logs the removal of the {@code n} lowest (or highest) members of key argument {@code keyArg};
     * each member and score as {@code shape} says.
     */
    private static void pop(Ctx c, CollectionView z, int keyArg, int n, boolean max, int shape) {
        long size = z.count();
        c.beginElements(keyArg, EffectCodec.OP_ELEMENTS_DEL, EntryType.ZSET);
        z.seekRank(max ? size - 1 : 0);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                step(z, max);
            }
            if (shape == PAIRS) {
                c.out.pair();
            } else if (shape == NESTED) {
                c.out.array(2);
            }
            DirectBuffer m = z.element();
            c.out.bulk(m, 0, m.capacity());
            replyScore(c, z.score());
            c.effect.addRemoved(m, 0, m.capacity());
        }
    }

    /** ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]: [key, [[member, score], ...]] or a null array. */
    static void zmpop(Ctx c) {
        mpop(c, 1);
    }

    /**
     * ZMPOP (numkeys at argument 1) and BZMPOP (its timeout at 1, numkeys at 2): the numbers and words are
     * checked first, as Redis does, then BZMPOP's timeout, then the keys in order.
     */
    private static void mpop(Ctx c, int numkeysArg) {
        boolean blocking = numkeysArg == 2;
        MultiPop args = c.multiPop;
        if (!args.parse(c, numkeysArg, "MIN", "MAX")) {
            return;
        }
        int where = args.where;
        boolean max = args.second;
        long count = args.count;
        long timeout = 0;
        if (blocking) {
            timeout = blockTimeout(c, 1);
            if (timeout < 0) {
                return;
            }
        }
        for (int k = numkeysArg + 1; k < where; k++) {
            int r = findZset(c, k);
            if (r < 0) {
                return;
            }
            if (r > 0) {
                CollectionView z = c.coll;
                long size = z.count();
                int n = (int) Math.min(count, size);
                c.out.array(2);
                c.out.bulk(c.argBuffer, c.off(k), c.len(k));
                c.out.array(n);
                pop(c, z, k, n, max, NESTED);
                c.deleteIfEmptied(k, n, size);
                return;
            }
        }
        if (blocking) {
            blockOrNil(c, timeout);
        } else {
            c.out.nilArray();
        }
    }

    // ------------------------------------------------------------------ blocking pops

    static void bzpopmin(Ctx c) {
        blockingPop(c, false);
    }

    static void bzpopmax(Ctx c) {
        blockingPop(c, true);
    }

    /**
     * BZPOPMIN/BZPOPMAX key [key ...] timeout: [key, member, score] from the first non-empty key; when every key is
     * empty, nothing is replied and the session is told to block (the server waits for a key to get members and
     * runs the command again), or, inside a transaction, a null array, as Redis answers there.
     */
    private static void blockingPop(Ctx c, boolean max) {
        long timeout = blockTimeout(c, c.argc() - 1);
        if (timeout < 0) {
            return;
        }
        for (int k = 1; k < c.argc() - 1; k++) {
            int r = findZset(c, k);
            if (r < 0) {
                return;
            }
            if (r > 0) {
                CollectionView z = c.coll;
                long size = z.count();
                c.out.array(3);
                c.out.bulk(c.argBuffer, c.off(k), c.len(k));
                pop(c, z, k, 1, max, FLAT);
                c.deleteIfEmptied(k, 1, size);
                return;
            }
        }
        blockOrNil(c, timeout);
    }

    /** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: ZMPOP's reply, or it blocks. */
    static void bzmpop(Ctx c) {
        mpop(c, 2);
    }

    /** Nothing to pop: block (outside a transaction) for {@code timeout} ms, 0 for ever; else a null array. */
    static void blockOrNil(Ctx c, long timeout) {
        if (c.inTransaction || c.session.inTransaction()) {
            c.out.nilArray();
        } else {
            c.session.block(timeout);
        }
    }

    static final String TIMEOUT_NOT_FLOAT = "ERR timeout is not a float or out of range";
    static final String TIMEOUT_NEGATIVE = "ERR timeout is negative";

    /**
     * A blocking command's timeout in seconds (a float, as Redis's getTimeoutFromObjectOrReply reads it) as ms,
     * rounded up; 0 blocks for ever. Replies the error and returns -1 when it is not one. As in Redis 7.0, a
     * timeout whose ms do not fit a signed 64-bit integer (inf, 1e30) is "negative": the C conversion wraps; one
     * that fits but ends after the year 292 million blocks for ever.
     */
    static long blockTimeout(Ctx c, int arg) {
        LongDouble t = LongDouble.parse(c.args.bytes(arg));
        if (t == null) {
            c.out.error(TIMEOUT_NOT_FLOAT);
            return -1;
        }
        if (!t.isFinite()) {
            c.out.error(TIMEOUT_NEGATIVE);
            return -1;
        }
        java.math.BigDecimal ms = t.value().multiply(java.math.BigDecimal.valueOf(1000))
                .setScale(0, java.math.RoundingMode.CEILING);
        if (ms.signum() < 0 || ms.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            c.out.error(TIMEOUT_NEGATIVE);
            return -1;
        }
        long millis = ms.longValue();
        return millis > Long.MAX_VALUE - c.now() ? 0 : millis;
    }

    // ------------------------------------------------------------------ ZRANDMEMBER

    static void zrandmember(Ctx c) {
        if (c.argc() == 2) {
            int r = findZset(c, 1);
            if (r < 0) {
                return;
            }
            if (r == 0) {
                c.out.nil();
                return;
            }
            c.coll.random(c.nextRandom());
            DirectBuffer m = c.coll.element();
            c.out.bulk(m, 0, m.capacity());
            return;
        }
        int with = RandomElements.countArguments(c, "WITHSCORES");
        if (with < 0) {
            return;
        }
        long l = c.num.get();
        boolean withScores = with == 1;
        int r = findZset(c, 1);
        if (r < 0) {
            return;
        }
        if (r == 0 || l == 0) {
            c.out.array(0);
            return;
        }
        CollectionView z = c.coll;
        long size = z.count();
        if (l < 0 || l == 1) {
            long count = l < 0 ? -l : 1;
            if (!RandomElements.repeatsAllowed(c, count, "members")) {
                return;
            }
            randomHeader(c, withScores, count);
            for (long i = 0; i < count; i++) {
                z.random(c.nextRandom());
                randomMember(c, z.element(), withScores ? z.score() : 0, withScores);
            }
            return;
        }
        randomHeader(c, withScores, Math.min(l, size));
        if (l >= size) {
            // The whole set, highest rank first (Redis walks it from its tail).
            z.seekRank(size - 1);
            do {
                randomMember(c, z.element(), withScores ? z.score() : 0, withScores);
            } while (z.prevInOrder());
            return;
        }
        UnsafeBuffer b = new UnsafeBuffer(0, 0);
        for (byte[][] e : RandomElements.distinct(c, z, (int) l, true)) {
            b.wrap(e[0]);
            randomMember(c, b, Double.longBitsToDouble(
                    new UnsafeBuffer(e[1]).getLong(0, ByteOrder.LITTLE_ENDIAN)), withScores);
        }
    }

    private static void randomHeader(Ctx c, boolean withScores, long count) {
        if (withScores) {
            c.out.pairs(Math.toIntExact(count));
        } else {
            c.out.array(Math.toIntExact(count));
        }
    }

    private static void randomMember(Ctx c, DirectBuffer m, double score, boolean withScores) {
        if (withScores) {
            c.out.pair();
        }
        c.out.bulk(m, 0, m.capacity());
        if (withScores) {
            replyScore(c, score);
        }
    }

    // ------------------------------------------------------------------ ZUNION, ZINTER, ZDIFF and friends

    private enum Op { UNION, INTER, DIFF }

    private enum Aggregate { SUM, MIN, MAX }

    static void zunion(Ctx c) {
        combine(c, Op.UNION, 1, -1, false);
    }

    static void zinter(Ctx c) {
        combine(c, Op.INTER, 1, -1, false);
    }

    static void zdiff(Ctx c) {
        combine(c, Op.DIFF, 1, -1, false);
    }

    static void zunionstore(Ctx c) {
        combine(c, Op.UNION, 2, 1, false);
    }

    static void zinterstore(Ctx c) {
        combine(c, Op.INTER, 2, 1, false);
    }

    static void zdiffstore(Ctx c) {
        combine(c, Op.DIFF, 2, 1, false);
    }

    static void zintercard(Ctx c) {
        combine(c, Op.INTER, 1, -1, true);
    }

    /** One input of a set operation: a sorted set, a set (every score 1) or a missing key (null view). */
    private static final class Source {
        CollectionView view;
        boolean sorted;
        int arg;
        double weight = 1;

        long size() {
            return view == null ? 0 : view.count();
        }

        double score() {
            return sorted ? view.score() : 1.0;
        }
    }

    /**
     * Redis's zunionInterDiffGenericCommand: the input keys follow the numkeys argument; {@code dst} is the
     * destination key argument (the STORE forms) or -1; {@code card} for ZINTERCARD.
     */
    private static void combine(Ctx c, Op op, int numkeysArg, int dst, boolean card) {
        if (!c.parseLong(numkeysArg)) {
            c.out.error(Errors.NOT_INTEGER);
            return;
        }
        long setnum = c.num.get();
        if (setnum < 1) {
            c.out.error("ERR at least 1 input key is needed for '" + c.cmd.lowerName + "' command");
            return;
        }
        if (setnum > c.argc() - (numkeysArg + 1)) {
            c.out.error(Errors.SYNTAX);
            return;
        }
        int n = (int) setnum;
        Source[] src = new Source[n];
        int j = numkeysArg + 1;
        for (int i = 0; i < n; i++, j++) {
            Source s = new Source();
            s.arg = j;
            Found f = new Found();
            if (c.find(f, j)) {
                if (f.type != EntryType.ZSET && f.type != EntryType.SET) {
                    c.out.error(Errors.WRONGTYPE);
                    return;
                }
                s.view = new CollectionView().wrap(f.view);
                s.sorted = f.type == EntryType.ZSET;
            }
            src[i] = s;
        }
        Aggregate aggregate = Aggregate.SUM;
        boolean withScores = false;
        long limit = 0;
        int remaining = c.argc() - j;
        while (remaining > 0) {
            if (op != Op.DIFF && !card && remaining >= n + 1 && c.argIs(j, "WEIGHTS")) {
                j++;
                remaining--;
                for (int i = 0; i < n; i++, j++, remaining--) {
                    double w = Scores.parse(c.argBuffer, c.off(j), c.len(j));
                    if (Double.isNaN(w)) {
                        c.out.error(WEIGHT_FLOAT);
                        return;
                    }
                    src[i].weight = w;
                }
            } else if (op != Op.DIFF && !card && remaining >= 2 && c.argIs(j, "AGGREGATE")) {
                j++;
                remaining--;
                if (c.argIs(j, "SUM")) {
                    aggregate = Aggregate.SUM;
                } else if (c.argIs(j, "MIN")) {
                    aggregate = Aggregate.MIN;
                } else if (c.argIs(j, "MAX")) {
                    aggregate = Aggregate.MAX;
                } else {
                    c.out.error(Errors.SYNTAX);
                    return;
                }
                j++;
                remaining--;
            } else if (remaining >= 1 && dst < 0 && !card && c.argIs(j, "WITHSCORES")) {
                j++;
                remaining--;
                withScores = true;
            } else if (card && remaining >= 2 && c.argIs(j, "LIMIT")) {
                j++;
                remaining--;
                if (!c.parseLong(j) || c.num.get() < 0) {
                    c.out.error(LIMIT_NEGATIVE);
                    return;
                }
                limit = c.num.get();
                j++;
                remaining--;
            } else {
                c.out.error(Errors.SYNTAX);
                return;
            }
        }
        if (op != Op.DIFF) {
            // Smallest first, as Redis orders its inputs (a stable sort): sums then add up in Redis's order.
            Arrays.sort(src, (a, b) -> Long.compare(a.size(), b.size()));
        }
        Map<String, double[]> result = new HashMap<>();
        List<String> order = new ArrayList<>();
        long cardinality = 0;
        if (op == Op.INTER) {
            Source first = src[0];
            if (first.size() > 0) {
                first.view.rewind();
                while (first.view.next()) {
                    double score = first.weight * first.score();
                    if (Double.isNaN(score)) {
                        score = 0;
                    }
                    DirectBuffer m = first.view.element();
                    int k;
                    for (k = 1; k < n; k++) {
                        Source s = src[k];
                        double value;
                        if (c.argsEqual(s.arg, first.arg)) {
                            value = first.score() * s.weight;
                        } else if (s.view.find(m, 0, m.capacity())) {
                            value = s.score() * s.weight;
                        } else {
                            break;
                        }
                        score = aggregate(score, value, aggregate);
                    }
                    if (k == n) {
                        if (card) {
                            cardinality++;
                            if (limit > 0 && cardinality >= limit) {
                                break;
                            }
                        } else {
                            String key = key(m);
                            result.put(key, new double[] {score});
                            order.add(key);
                        }
                    }
                }
            }
        } else if (op == Op.UNION) {
            for (Source s : src) {
                if (s.size() == 0) {
                    continue;
                }
                s.view.rewind();
                while (s.view.next()) {
                    double score = s.weight * s.score();
                    if (Double.isNaN(score)) {
                        score = 0;
                    }
                    String key = key(s.view.element());
                    double[] acc = result.get(key);
                    if (acc == null) {
                        result.put(key, new double[] {score});
                        order.add(key);
                    } else {
                        acc[0] = aggregate(acc[0], score, aggregate);
                    }
                }
            }
        } else {
            Source first = src[0];
            if (first.size() > 0) {
                first.view.rewind();
                while (first.view.next()) {
                    DirectBuffer m = first.view.element();
                    boolean elsewhere = false;
                    for (int k = 1; k < n && !elsewhere; k++) {
                        elsewhere = src[k].view != null && (c.argsEqual(src[k].arg, first.arg)
                                || src[k].view.find(m, 0, m.capacity()));
                    }
                    if (!elsewhere) {
                        String key = key(m);
                        result.put(key, new double[] {first.score()});
                        order.add(key);
                    }
                }
            }
        }
        if (card) {
            c.out.integer(cardinality);
            return;
        }
        // The result in (score, member) order, as Redis's result zset is.
        String[] members = order.toArray(new String[0]);
        Arrays.sort(members, (a, b) -> {
            double x = result.get(a)[0];
            double y = result.get(b)[0];
            if (x < y) {
                return -1;
            }
            if (x > y) {
                return 1;
            }
            return compareBytes(a, b);
        });
        if (dst >= 0) {
            List<byte[]> bytes = new ArrayList<>(members.length);
            double[] scores = new double[members.length];
            int longest = 0;
            for (int i = 0; i < members.length; i++) {
                bytes.add(members[i].getBytes(StandardCharsets.ISO_8859_1));
                scores[i] = result.get(members[i])[0];
                longest = Math.max(longest, members[i].length());
            }
            // Redis builds the result as a skiplist and makes it a listpack only when it fits one.
            storeResult(c, dst, bytes, scores, createsTable(c, members.length, longest));
            return;
        }
        if (withScores) {
            c.out.pairs(members.length);
        } else {
            c.out.array(members.length);
        }
        for (String m : members) {
            if (withScores) {
                c.out.pair();
            }
            c.out.bulk(m.getBytes(StandardCharsets.ISO_8859_1));
            if (withScores) {
                replyScore(c, result.get(m)[0]);
            }
        }
    }

    private static double aggregate(double target, double value, Aggregate how) {
        switch (how) {
            case SUM -> {
                double sum = target + value;
                return Double.isNaN(sum) ? 0.0 : sum; // +inf + -inf: Redis keeps 0
            }
            case MIN -> {
                return value < target ? value : target;
            }
            default -> {
                return value > target ? value : target;
            }
        }
    }

    private static String key(DirectBuffer m) {
        byte[] b = new byte[m.capacity()];
        m.getBytes(0, b);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** Unsigned byte order of two ISO-8859-1 strings (one char per byte): memcmp, then length. */
    private static int compareBytes(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            int d = a.charAt(i) - b.charAt(i);
            if (d != 0) {
                return d;
            }
        }
        return a.length() - b.length();
    }

    // ------------------------------------------------------------------ ZSCAN

    /** ZSCAN key cursor [MATCH pattern] [COUNT count]: members and their scores (as text), flat. */
    static void zscan(Ctx c) {
        if (!KeyspaceCommands.parseCursor(c, 2)) {
            return;
        }
        long cursor = c.num.get();
        int r = findZset(c, 1);
        if (r < 0) {
            return;
        }
        if (r == 0) {
            c.out.array(2);
            c.out.bulk("0");
            c.out.array(0);
            return;
        }
        KeyspaceCommands.ScanOptions o = KeyspaceCommands.scanOptions(c, 3, false);
        if (o == null) {
            return;
        }
        Glob glob = o.glob;
        ReplyBuffer list = c.listing();
        CollectionView z = c.coll;
        int listed = 0;
        long next;
        if (z.encoding() != EntryType.ENCODING_TABLE) {
            // Packed: whole, in order, as Redis's listpack.
            z.seekRank(0);
            do {
                listed += scanned(c, z, glob, list, true);
            } while (z.nextInOrder());
            next = 0;
        } else {
            next = z.scan(cursor, o.count);
            while (z.nextScanned()) {
                listed += scanned(c, z, glob, list, false);
            }
        }
        c.out.array(2);
        c.out.bulk(Long.toUnsignedString(next));
        c.out.array(listed * 2);
        list.replayTo(c.out);
    }

    /**
     * One member and its score for ZSCAN. A packed set's score is printed as Redis's listpack holds it: an
     * integer when it is one within ±2^62 (Redis's double2ll), so 1e17 is {@code 100000000000000000} there.
     */
    private static int scanned(Ctx c, CollectionView z, Glob glob, ReplyBuffer list, boolean packed) {
        DirectBuffer m = z.element();
        if (glob != null && !glob.match(m, 0, m.capacity())) {
            return 0;
        }
        list.bulk(m, 0, m.capacity());
        double score = z.score();
        int n = packed && Scores.isListpackInteger(score) ? c.scoreText.putLongAscii(0, (long) score)
                : c.printer.format(score, c.scoreText, 0);
        list.bulk(c.scoreText, 0, n);
        return 1;
    }
}
