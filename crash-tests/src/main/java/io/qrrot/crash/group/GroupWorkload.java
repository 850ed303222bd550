package io.qrrot.crash.group;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import redis.clients.jedis.HostAndPort;

/** One client thread of the group's workload ({@link GroupHistory} says what it writes and why). */
final class GroupWorkload implements Runnable {
    private final GroupHistory h;
    private final int client;
    private final SplittableRandom random;
    private final AtomicBoolean stop;
    private final GroupClient db;
    private long seq;

    GroupWorkload(GroupHistory h, int client, long seed, AtomicBoolean stop, List<HostAndPort> nodes) {
        this.h = h;
        this.client = client;
        this.random = new SplittableRandom(seed);
        this.stop = stop;
        this.db = new GroupClient(nodes, 3000, client, stop::get);
    }

    @Override
    public void run() {
        try (db) {
            while (!stop.get()) {
                int roll = random.nextInt(100);
                if (roll < 35) {
                    register();
                } else if (roll < 55) {
                    owned();
                } else if (roll < 75) {
                    increment();
                } else if (roll < 90) {
                    push();
                } else {
                    pop();
                }
            }
        }
    }

    private void register() {
        int k = random.nextInt(GroupHistory.REGISTERS);
        String key = GroupHistory.register(k);
        List<RegisterChecker.Op> ops = h.registers.get(k);
        h.sent.incrementAndGet();
        long t0 = System.nanoTime();
        if (random.nextBoolean()) {
            String v = "c" + client + "-" + (++seq);
            GroupClient.Outcome<String> o = db.call(j -> j.set(key, v));
            long t1 = System.nanoTime();
            switch (o.status()) {
                case OK -> {
                    ops.add(RegisterChecker.Op.write(client, v, t0, t1));
                    acked(t1);
                }
                case UNKNOWN -> ops.add(RegisterChecker.Op.unknownWrite(client, v, t0));
                case NOT_RUN -> { }
            }
        } else {
            GroupClient.Outcome<String> o = db.call(j -> j.get(key));
            if (o.status() == GroupClient.Status.OK) {
                ops.add(RegisterChecker.Op.read(client, o.value(), t0, System.nanoTime()));
                h.acked.incrementAndGet();
            }
        }
    }

    private void owned() {
        long v = h.ownedSent[client] + 1;
        h.ownedSent[client] = v;
        h.sent.incrementAndGet();
        GroupClient.Outcome<String> o = db.call(j -> j.set(GroupHistory.owned(client), Long.toString(v)));
        if (o.status() == GroupClient.Status.OK) {
            h.ownedAcked[client] = v;
            acked(System.nanoTime());
        } else if (o.status() == GroupClient.Status.NOT_RUN) {
            h.ownedSent[client] = v - 1;
        }
    }

    private void increment() {
        h.counterSent.incrementAndGet();
        h.sent.incrementAndGet();
        GroupClient.Outcome<Long> o = db.call(j -> j.incr("cnt"));
        if (o.status() == GroupClient.Status.OK) {
            h.counterAcked.incrementAndGet();
            if (!h.counterReplies.add(o.value())) {
                h.violations.add("INCR cnt answered " + o.value() + " twice");
            }
            acked(System.nanoTime());
        } else if (o.status() == GroupClient.Status.NOT_RUN) {
            h.counterSent.decrementAndGet();
        }
    }

    private void push() {
        String item = "i" + client + "-" + (++seq);
        h.pushSent.add(item);
        h.sent.incrementAndGet();
        GroupClient.Outcome<Long> o = db.call(j -> j.rpush("q", item));
        if (o.status() == GroupClient.Status.OK) {
            h.pushAcked.add(item);
            acked(System.nanoTime());
        } else if (o.status() == GroupClient.Status.NOT_RUN) {
            h.pushSent.remove(item);
        }
    }

    private void pop() {
        h.sent.incrementAndGet();
        GroupClient.Outcome<String> o = db.call(j -> j.lpop("q"));
        if (o.status() == GroupClient.Status.OK) {
            if (o.value() != null) {
                h.popped.add(o.value());
            }
            acked(System.nanoTime());
        } else if (o.status() == GroupClient.Status.UNKNOWN) {
            h.unknownPops.incrementAndGet();
        }
    }

    private void acked(long at) {
        h.acked.incrementAndGet();
        h.writeAcks.add(at);
    }
}
