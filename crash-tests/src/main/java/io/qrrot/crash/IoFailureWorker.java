package io.qrrot.crash;

import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * One client connection of an I/O-failure run: SET, DEL and INCR on its own keys, MULTI/EXEC transfers
 * between shared accounts, and GETs of its own keys checked against the {@link IoFailureModel} on the spot,
 * until told to stop. A write's reply is awaited for {@link #REPLY_TIMEOUT_MILLIS}; a longer silence, a
 * dropped connection or a reply that is neither the expected one nor an error is a violation: the server
 * must keep answering while its log is failed.
 */
final class IoFailureWorker implements Runnable {
    static final int REPLY_TIMEOUT_MILLIS = 15_000;

    private final IoFailureModel model;
    private final int client;
    private final int port;
    private final SplittableRandom random;
    private final AtomicBoolean stop;
    private long sequence;

    IoFailureWorker(IoFailureModel model, int client, int port, long seed, AtomicBoolean stop) {
        this.model = model;
        this.client = client;
        this.port = port;
        this.random = new SplittableRandom(seed);
        this.stop = stop;
    }

    @Override
    public void run() {
        try (Jedis jedis = Clients.connect(port, REPLY_TIMEOUT_MILLIS)) {
            while (!stop.get()) {
                int roll = random.nextInt(100);
                if (roll < 50) {
                    write(jedis, true);
                } else if (roll < 60) {
                    write(jedis, false);
                } else if (roll < 75) {
                    increment(jedis);
                } else if (roll < 85) {
                    transfer(jedis);
                } else {
                    read(jedis);
                }
            }
        } catch (JedisConnectionException e) {
            model.violation("client " + client + ": the connection failed (no reply within " + REPLY_TIMEOUT_MILLIS
                    + " ms, or closed by the server): " + e.getMessage());
        } catch (RuntimeException e) {
            model.violation("client " + client + ": " + e);
        }
    }

    private void write(Jedis jedis, boolean set) {
        IoFailureModel.Key key = model.keys[client][random.nextInt(model.keysPerClient)];
        if (key.hasPending) {
            return;
        }
        String value = set ? client + "-" + (++sequence) : null;
        key.pending = value;
        key.hasPending = true;
        String before = key.acked;
        long sentAt = sent();
        try {
            if (set) {
                String reply = jedis.set(key.name, value);
                if (!"OK".equals(reply)) {
                    model.violation("SET " + key.name + " answered " + reply);
                    return;
                }
                acknowledged(sentAt, "SET " + key.name);
            } else {
                long deleted = jedis.del(key.name);
                if (deleted != (before == null ? 0 : 1)) {
                    model.violation("DEL " + key.name + " answered " + deleted + " but the acknowledged state is "
                            + IoFailureModel.show(before));
                }
                // DEL of an absent key changes nothing and logs nothing: it may be answered after a failure.
                if (deleted == 1) {
                    acknowledged(sentAt, "DEL " + key.name);
                } else {
                    model.acked.incrementAndGet();
                }
            }
        } catch (JedisDataException e) {
            model.error(e.getMessage());
            return;
        }
        key.acked = value;
        key.pending = null;
        key.hasPending = false;
    }

    private void increment(Jedis jedis) {
        model.counterSent[client]++;
        long sentAt = sent();
        long reply;
        try {
            reply = jedis.incr(IoFailureModel.counterKey(client));
        } catch (JedisDataException e) {
            model.error(e.getMessage());
            return;
        }
        acknowledged(sentAt, "INCR " + IoFailureModel.counterKey(client));
        model.counterAcked[client]++;
        if (reply < model.counterAcked[client] || reply > model.counterSent[client]) {
            model.violation("INCR " + IoFailureModel.counterKey(client) + " answered " + reply + ", must lie in ["
                    + model.counterAcked[client] + " acknowledged, " + model.counterSent[client] + " sent]");
        }
    }

    private void transfer(Jedis jedis) {
        int from = random.nextInt(model.accounts);
        int to = random.nextInt(model.accounts - 1);
        if (to >= from) {
            to++;
        }
        long amount = 1 + random.nextInt(100);
        model.transfersSent[client]++;
        long sentAt = sent();
        List<Object> result;
        try {
            Transaction tx = jedis.multi();
            tx.decrBy(IoFailureModel.accountKey(from), amount);
            tx.incrBy(IoFailureModel.accountKey(to), amount);
            tx.incr(IoFailureModel.transferCountKey(client));
            result = tx.exec();
        } catch (JedisDataException e) {
            model.error(e.getMessage());
            return;
        }
        if (result == null || result.size() != 3) {
            model.violation("transfer EXEC answered " + result);
            return;
        }
        boolean failed = false;
        for (Object o : result) {
            if (o instanceof JedisDataException e) {
                model.error(e.getMessage());
                failed = true;
            }
        }
        if (!failed) {
            acknowledged(sentAt, "EXEC transfer " + from + "->" + to);
            model.transfersAcked[client]++;
        }
    }

    /** A GET of an own key: it must answer, with the acknowledged value or the one of unknown outcome. */
    private void read(Jedis jedis) {
        IoFailureModel.Key key = model.keys[client][random.nextInt(model.keysPerClient)];
        long failedBy = model.failedByNanos;
        boolean afterFailure = failedBy != 0 && System.nanoTime() > failedBy;
        String v;
        try {
            v = jedis.get(key.name);
        } catch (JedisDataException e) {
            model.violation("GET " + key.name + " answered an error: " + e.getMessage());
            return;
        }
        if (!Objects.equals(v, key.acked) && !(key.hasPending && Objects.equals(v, key.pending))) {
            model.violation("GET " + key.name + " answered " + IoFailureModel.show(v) + ", acknowledged "
                    + IoFailureModel.show(key.acked) + (key.hasPending ? ", or unknown outcome "
                    + IoFailureModel.show(key.pending) : ""));
        }
        model.readsChecked.incrementAndGet();
        if (afterFailure) {
            model.readsCheckedAfterFailure.incrementAndGet();
        }
    }

    private long sent() {
        model.sent.incrementAndGet();
        return System.nanoTime();
    }

    private void acknowledged(long sentAt, String what) {
        model.acked.incrementAndGet();
        long failedBy = model.failedByNanos;
        if (failedBy != 0 && sentAt > failedBy) {
            model.violation(what + " was acknowledged though it was sent after the write-ahead log had failed");
        }
    }
}
