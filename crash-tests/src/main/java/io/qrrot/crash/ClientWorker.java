package io.qrrot.crash;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.args.ListDirection;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

/**
 * One client connection sending a random mix of writes until told to stop or until the server dies. Every
 * operation is put in the {@link History} before it is sent and marked acknowledged only after its reply.
 */
final class ClientWorker implements Runnable {
    private final History history;
    private final int client;
    private final int port;
    private final SplittableRandom random;
    private final AtomicBoolean stop;
    /** Keys whose last operation has an unknown outcome (an error reply): not touched again this run. */
    private final boolean[] frozen;
    private final List<String> violations;
    private long sequence;

    ClientWorker(History history, int client, int port, long seed, AtomicBoolean stop, List<String> violations) {
        this.history = history;
        this.client = client;
        this.port = port;
        this.random = new SplittableRandom(seed);
        this.stop = stop;
        this.frozen = new boolean[history.keysPerClient];
        this.violations = violations;
    }

    @Override
    public void run() {
        try (Jedis jedis = Clients.connect(port, 10_000)) {
            while (!stop.get()) {
                step(jedis);
            }
        } catch (JedisConnectionException e) {
            // The server was killed: the operation in flight stays pending in the history.
        }
    }

    private void step(Jedis jedis) {
        int roll = random.nextInt(110);
        if (roll < 44) {
            ownedKeyOp(jedis, roll * 60 / 44);
        } else if (roll < 56) {
            increment(jedis);
        } else if (roll < 66) {
            transfer(jedis);
        } else if (roll < 76) {
            hashIncrement(jedis);
        } else if (roll < 82) {
            hashTransfer(jedis);
        } else if (roll < 92) {
            setOp(jedis);
        } else if (roll < 100) {
            leaderboardIncrement(jedis);
        } else {
            queueOp(jedis);
        }
    }

    /**
     * The queue workload ({@link Queues}): RPUSH of a new item to a queue, LPOP of one to three items, BLMOVE of
     * one item (waiting {@link Queues#BLMOVE_TIMEOUT_SECONDS} at most) to this client's processing list, or LREM
     * of the oldest item this client moved there.
     */
    private void queueOp(Jedis jedis) {
        Queues queues = history.queues;
        java.util.Deque<Queues.Item> mine = queues.processing[client];
        int roll = random.nextInt(100);
        if (roll < 25 && !mine.isEmpty()) {
            finishProcessing(jedis, queues, mine);
        } else if (roll < 60) {
            push(jedis, queues);
        } else if (roll < 80) {
            pop(jedis, queues);
        } else {
            moveToProcessing(jedis, queues, mine);
        }
    }

    private void push(Jedis jedis, Queues queues) {
        int k = random.nextInt(Queues.QUEUES);
        Queues.Item item = queues.newItem(k, client);
        history.opsSent.incrementAndGet();
        long length;
        try {
            length = jedis.rpush(Queues.queueKey(k), item.name);
        } catch (JedisDataException e) {
            return; // pushed or not is unknown until the next check
        }
        if (length < 1) {
            violations.add("RPUSH " + Queues.queueKey(k) + " " + item.name + " answered " + length);
        }
        item.pushAcked = true;
        history.opsAcked.incrementAndGet();
    }

    private void pop(Jedis jedis, Queues queues) {
        int k = random.nextInt(Queues.QUEUES);
        String key = Queues.queueKey(k);
        int count = random.nextInt(4) == 0 ? 2 + random.nextInt(2) : 1;
        queues.unackedPops[k].addAndGet(count);
        history.opsSent.incrementAndGet();
        List<String> got;
        try {
            if (count == 1) {
                String one = jedis.lpop(key);
                got = one == null ? List.of() : List.of(one);
            } else {
                got = jedis.lpop(key, count);
                got = got == null ? List.of() : got;
            }
        } catch (JedisDataException e) {
            return; // what it took, if anything, is unknown: its count stays unacknowledged until the next check
        }
        if (got.size() > count) {
            violations.add("LPOP " + key + " " + count + " returned " + got.size() + " items: " + got);
        }
        for (String name : got) {
            queues.taken(name, k, Queues.State.POPPED, client, "LPOP", violations);
        }
        queues.unackedPops[k].addAndGet(-count);
        history.opsAcked.incrementAndGet();
    }

    private void moveToProcessing(Jedis jedis, Queues queues, java.util.Deque<Queues.Item> mine) {
        int k = random.nextInt(Queues.QUEUES);
        String key = Queues.queueKey(k);
        queues.unackedMoves[k][client].incrementAndGet();
        history.opsSent.incrementAndGet();
        String name;
        try {
            name = jedis.blmove(key, Queues.processingKey(client), ListDirection.LEFT, ListDirection.RIGHT,
                    Queues.BLMOVE_TIMEOUT_SECONDS);
        } catch (JedisDataException e) {
            return;
        }
        if (name != null) {
            Queues.Item item = queues.taken(name, k, Queues.State.PROCESSING, client, "BLMOVE", violations);
            if (item != null) {
                mine.addLast(item);
            }
        }
        queues.unackedMoves[k][client].decrementAndGet();
        history.opsAcked.incrementAndGet();
    }

    private void finishProcessing(Jedis jedis, Queues queues, java.util.Deque<Queues.Item> mine) {
        Queues.Item item = mine.pollFirst();
        item.removing();
        history.opsSent.incrementAndGet();
        long removed;
        try {
            removed = jedis.lrem(Queues.processingKey(client), 1, item.name);
        } catch (JedisDataException e) {
            return; // removed or not is unknown until the next check
        }
        if (removed != 1) {
            violations.add("LREM " + Queues.processingKey(client) + " 1 " + item.name + " answered " + removed
                    + ", but an acknowledged BLMOVE put it there: " + item);
        }
        item.removed();
        history.opsAcked.incrementAndGet();
    }

    /**
     * ZINCRBY of a leaderboard member by a known amount, recorded as unacknowledged before it is sent and moved
     * to the acknowledged sum when the reply comes; the reply must be a whole number.
     */
    private void leaderboardIncrement(Jedis jedis) {
        History.Leaderboard board = history.leaderboards[random.nextInt(history.leaderboards.length)];
        int j = random.nextInt(board.acked.length);
        long amount = 1 + random.nextInt(9);
        Long pending = amount;
        board.unacked[j].add(pending);
        history.opsSent.incrementAndGet();
        double reply;
        try {
            reply = jedis.zincrby(board.name, amount, History.leaderboardMember(j));
        } catch (JedisDataException e) {
            return; // applied or not is unknown: it stays unacknowledged until the next check
        }
        if (reply != Math.rint(reply) || reply < amount) {
            violations.add("ZINCRBY " + board.name + " " + amount + " " + History.leaderboardMember(j) + " answered "
                    + reply);
        }
        board.acked[j].addAndGet(amount);
        board.unacked[j].remove(pending);
        history.opsAcked.incrementAndGet();
    }

    private void hashIncrement(Jedis jedis) {
        int j = random.nextInt(history.hashCounterSent.length);
        history.hashCounterSent[j].incrementAndGet();
        history.opsSent.incrementAndGet();
        try {
            jedis.hincrBy(History.HASH_COUNTERS, History.hashCounterField(j), 1);
        } catch (JedisDataException e) {
            return;
        }
        history.hashCounterAcked[j].incrementAndGet();
        history.opsAcked.incrementAndGet();
    }

    private void hashTransfer(Jedis jedis) {
        int from = random.nextInt(history.hashAccounts);
        int to = random.nextInt(history.hashAccounts - 1);
        if (to >= from) {
            to++;
        }
        long amount = 1 + random.nextInt(100);
        history.opsSent.incrementAndGet();
        try {
            Transaction tx = jedis.multi();
            tx.hincrBy(History.HASH_ACCOUNTS, History.hashAccountField(from), -amount);
            tx.hincrBy(History.HASH_ACCOUNTS, History.hashAccountField(to), amount);
            List<Object> result = tx.exec();
            if (result == null || result.size() != 2) {
                violations.add("hash transfer EXEC answered " + result);
                return;
            }
        } catch (JedisDataException e) {
            return;
        }
        history.opsAcked.incrementAndGet();
    }

    private void setOp(Jedis jedis) {
        History.OwnedSet set = history.sets[client];
        if (set.pendingMember != null) {
            return; // an earlier SADD or SREM got an error reply: its outcome is unknown until the next check
        }
        boolean add = set.acked.isEmpty() || random.nextInt(3) != 0;
        // Members are new across runs too (a worker's sequence starts again each run): SADD must answer 1.
        String member = add ? "m" + client + "-" + history.members.incrementAndGet() : set.acked.iterator().next();
        set.pendingMember = member;
        set.pendingAdd = add;
        history.opsSent.incrementAndGet();
        long reply;
        try {
            reply = add ? jedis.sadd(set.name, member) : jedis.srem(set.name, member);
        } catch (JedisDataException e) {
            return;
        }
        if (reply != 1) {
            violations.add((add ? "SADD " : "SREM ") + set.name + " " + member + " answered " + reply);
        }
        if (add) {
            set.acked.add(member);
        } else {
            set.acked.remove(member);
        }
        set.pendingMember = null;
        history.opsAcked.incrementAndGet();
    }

    private void ownedKeyOp(Jedis jedis, int roll) {
        int i = random.nextInt(history.keysPerClient);
        if (frozen[i]) {
            return;
        }
        History.OwnedKey key = history.owned[client][i];
        KeyState before = key.acked;
        String value = "v" + client + "-" + (++sequence);
        long now = System.currentTimeMillis();
        KeyState after;
        Runnable send;
        if (roll < 30) {
            after = new KeyState(value, 0);
            send = () -> expectOk(jedis.set(key.name, value), key.name);
        } else if (roll < 42) {
            long at = now + random.nextInt(-500, 3000);
            after = new KeyState(value, at);
            send = () -> expectOk(jedis.set(key.name, value, SetParams.setParams().pxAt(at)), key.name);
        } else if (roll < 50) {
            // Only on a live key without expiry, so the reply is certain: 1.
            if (before.value() == null || before.expireAt() != 0) {
                return;
            }
            long at = now + random.nextInt(500, 5000);
            after = new KeyState(before.value(), at);
            send = () -> {
                long r = jedis.pexpireAt(key.name, at);
                if (r != 1) {
                    violations.add("PEXPIREAT " + key.name + " answered " + r + " but the acknowledged state is " + before);
                }
            };
        } else {
            after = KeyState.ABSENT;
            send = () -> jedis.del(key.name);
        }
        key.pending = after;
        history.opsSent.incrementAndGet();
        try {
            send.run();
        } catch (JedisDataException e) {
            frozen[i] = true; // an error reply: applied or not is unknown until the next check
            return;
        }
        key.acked = after;
        key.pending = null;
        history.opsAcked.incrementAndGet();
    }

    private void increment(Jedis jedis) {
        int j = random.nextInt(history.counterSent.length);
        history.counterSent[j].incrementAndGet();
        history.opsSent.incrementAndGet();
        try {
            jedis.incr(History.counterKey(j));
        } catch (JedisDataException e) {
            return;
        }
        history.counterAcked[j].incrementAndGet();
        history.opsAcked.incrementAndGet();
    }

    private void transfer(Jedis jedis) {
        int from = random.nextInt(history.accounts);
        int to = random.nextInt(history.accounts - 1);
        if (to >= from) {
            to++;
        }
        long amount = 1 + random.nextInt(100);
        history.opsSent.incrementAndGet();
        try {
            Transaction tx = jedis.multi();
            tx.decrBy(History.accountKey(from), amount);
            tx.incrBy(History.accountKey(to), amount);
            List<Object> result = tx.exec();
            if (result == null || result.size() != 2) {
                violations.add("transfer EXEC answered " + result);
                return;
            }
        } catch (JedisDataException e) {
            return;
        }
        history.opsAcked.incrementAndGet();
    }

    private static void expectOk(String reply, String key) {
        if (!"OK".equals(reply)) {
            throw new JedisDataException("SET " + key + " answered " + reply);
        }
    }
}
