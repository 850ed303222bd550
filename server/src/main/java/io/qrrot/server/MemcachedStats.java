package io.qrrot.server;

import io.qrrot.engine.Memcached;
import java.util.concurrent.atomic.LongAdder;

/**
 * The memcached protocol's own counters, as its {@code stats} command names them (cmd_get, get_hits, cas_badval,
 * …), for every memcached connection of the server. Adders: written by every event loop, summed by stats.
 */
final class MemcachedStats {
    /** Requests answered, whatever they were (INFO's total_commands_processed counts them with Redis's). */
    final LongAdder requests = new LongAdder();
    final LongAdder cmdGet = new LongAdder();
    final LongAdder getHits = new LongAdder();
    final LongAdder cmdSet = new LongAdder();
    final LongAdder cmdTouch = new LongAdder();
    final LongAdder touchHits = new LongAdder();
    final LongAdder touchMisses = new LongAdder();
    final LongAdder deleteHits = new LongAdder();
    final LongAdder deleteMisses = new LongAdder();
    final LongAdder incrHits = new LongAdder();
    final LongAdder incrMisses = new LongAdder();
    final LongAdder decrHits = new LongAdder();
    final LongAdder decrMisses = new LongAdder();
    final LongAdder casHits = new LongAdder();
    final LongAdder casMisses = new LongAdder();
    final LongAdder casBadval = new LongAdder();
    /** Keys gat and gats (and mg with T) asked for, and found: memcached counts them as touches only. */
    final LongAdder gatKeys = new LongAdder();
    final LongAdder gatHits = new LongAdder();
    final LongAdder flushes = new LongAdder();
    final LongAdder authCommands = new LongAdder();
    final LongAdder authErrors = new LongAdder();
    final LongAdder[] all = {cmdGet, getHits, cmdSet, cmdTouch, touchHits, touchMisses, deleteHits, deleteMisses,
        incrHits, incrMisses, decrHits, decrMisses, casHits, casMisses, casBadval, gatKeys, gatHits, flushes,
        authCommands, authErrors};

    /** A get, gets, gat or gats of {@code keys} keys (gat and gats count as touches, as memcached counts them). */
    void retrieval(Memcached.Op op, int keys) {
        if (op == Memcached.Op.GAT || op == Memcached.Op.GATS) {
            gatKeys.add(keys);
        } else {
            cmdGet.add(keys);
        }
    }

    /** One key a retrieval found. */
    void hit(Memcached.Op op) {
        if (op == Memcached.Op.GAT || op == Memcached.Op.GATS) {
            gatHits.increment();
        } else {
            getHits.increment();
        }
    }

    long touchCommands() {
        return cmdTouch.sum() + gatKeys.sum();
    }

    long touchHitsTotal() {
        return touchHits.sum() + gatHits.sum();
    }

    long touchMissesTotal() {
        return touchMisses.sum() + Math.max(0, gatKeys.sum() - gatHits.sum());
    }

    /** How a change ended (incr and decr: STORED for a new value). */
    void outcome(Memcached.Op op, Memcached.Status s) {
        switch (op) {
            case SET, ADD, REPLACE, APPEND, PREPEND -> cmdSet.increment();
            case CAS -> {
                cmdSet.increment();
                (s == Memcached.Status.STORED ? casHits : s == Memcached.Status.EXISTS ? casBadval : casMisses)
                        .increment();
            }
            case DELETE -> (s == Memcached.Status.DELETED ? deleteHits : deleteMisses).increment();
            case INCR -> (s == Memcached.Status.STORED ? incrHits : incrMisses).increment();
            case DECR -> (s == Memcached.Status.STORED ? decrHits : decrMisses).increment();
            case TOUCH -> {
                cmdTouch.increment();
                (s == Memcached.Status.TOUCHED ? touchHits : touchMisses).increment();
            }
            default -> {
            }
        }
    }

    /** stats reset. */
    void reset() {
        for (LongAdder a : all) {
            a.reset();
        }
    }
}
