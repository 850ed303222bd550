package io.qrrot.crash.group;

import java.util.List;
import java.util.function.Function;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisMovedDataException;

/**
 * A client of the group that follows it as a Redis Cluster client does: one connection at a time, to the
 * node a {@code MOVED} names; {@code CLUSTERDOWN}, {@code TRYAGAIN} and {@code READONLY} (a follower, no
 * leader yet, a leader catching up) are tried again elsewhere after a pause, since the command did not run.
 * Anything else without a plain reply (a cut connection, a timeout, {@code UNCERTAIN}) leaves the outcome
 * unknown, and says so.
 */
final class GroupClient implements AutoCloseable {
    /** What became of one command. */
    enum Status { OK, UNKNOWN, NOT_RUN }

    record Outcome<T>(Status status, T value, String error) {
    }

    private final List<HostAndPort> nodes;
    private final int timeoutMillis;
    private final java.util.function.BooleanSupplier stop;
    private Jedis jedis;
    private int next;

    GroupClient(List<HostAndPort> nodes, int timeoutMillis, int first, java.util.function.BooleanSupplier stop) {
        this.nodes = nodes;
        this.timeoutMillis = timeoutMillis;
        this.next = first;
        this.stop = stop;
    }

    <T> Outcome<T> call(Function<Jedis, T> command) {
        for (int attempt = 0; attempt < 400 && !stop.getAsBoolean(); attempt++) {
            if (jedis == null && !connect(nodes.get(Math.floorMod(next++, nodes.size())))) {
                pause();
                continue;
            }
            try {
                return new Outcome<>(Status.OK, command.apply(jedis), null);
            } catch (JedisMovedDataException e) {
                close();
                if (!connect(e.getTargetNode())) {
                    pause();
                }
            } catch (JedisConnectionException e) {
                close();
                return new Outcome<>(Status.UNKNOWN, null, e.toString());
            } catch (JedisDataException e) {
                String m = String.valueOf(e.getMessage());
                if (m.startsWith("CLUSTERDOWN") || m.startsWith("TRYAGAIN") || m.startsWith("READONLY")) {
                    close(); // not run; another node may know the leader
                    pause();
                    continue;
                }
                return new Outcome<>(Status.UNKNOWN, null, m);
            }
        }
        return new Outcome<>(Status.NOT_RUN, null, "gave up");
    }

    private boolean connect(HostAndPort node) {
        try {
            jedis = new Jedis(node, DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP2)
                    .autoNegotiateProtocol(false).timeoutMillis(timeoutMillis).build());
            jedis.ping();
            return true;
        } catch (JedisConnectionException e) {
            close();
            return false;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (jedis != null) {
            try {
                jedis.close();
            } catch (RuntimeException e) {
                // gone already
            }
            jedis = null;
        }
    }
}
