package io.qrrot.crash;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;

/** Client connections of the harness: plain RESP2 over loopback. */
final class Clients {
    private Clients() {
    }

    static Jedis connect(int port, int timeoutMillis) {
        return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder()
                .protocol(RedisProtocol.RESP2).autoNegotiateProtocol(false)
                .timeoutMillis(timeoutMillis).build());
    }
}
