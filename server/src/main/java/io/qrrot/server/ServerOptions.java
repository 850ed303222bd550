package io.qrrot.server;

/**
 * How the server listens and what it allows. Immutable; change one field with the {@code with…} methods.
 * Settings marked "runtime" can also be changed while running with CONFIG SET.
 *
 * @param bind               address to listen on (default {@code 127.0.0.1})
 * @param port               TCP port; 0 picks a free one, see {@link QrrotServer#port()} (default 6379)
 * @param requirePass        password for AUTH, or null for none (default null; runtime)
 * @param maxClients         connections accepted at once (default 10000, as Redis; runtime)
 * @param protectedMode      without a password accept only loopback clients (default true; runtime)
 * @param queryBufferLimit   bytes one client may have buffered for an incomplete command before it gets an
 *                           error and is disconnected (default 1 GiB, Redis' client-query-buffer-limit; runtime)
 * @param multiQueueLimit    bytes of heap the commands one client queues inside MULTI may hold; a command past
 *                           it is refused with an error and the transaction fails at EXEC (default 1 GiB;
 *                           runtime)
 * @param clientMemoryBudget bytes all clients together may make the server hold for requests being received and
 *                           for MULTI queues, beyond {@link ClientMemory#FREE_PER_CLIENT} each; a client whose
 *                           request or queued command would pass it gets an error (default 0: a quarter of the
 *                           maximum heap, see {@link ClientMemory#defaultBudget()}; runtime)
 * @param maxBulkLength      largest bulk string a client may send (default 512 MiB, Redis'
 *                           proto-max-bulk-len; at most 2 GiB − 64)
 * @param outputBufferLimit  bytes of replies a client may leave unread before it is disconnected;
 *                           0 = no limit (default 1 GiB; runtime)
 * @param idleTimeoutSeconds close clients idle this long; 0 = never (default 0, Redis' timeout; runtime)
 * @param ioThreads          event loop threads; each executes the commands of the connections it reads
 *                           (default: the number of processors)
 * @param transport          {@code auto} (epoll where available, else NIO), {@code epoll} or {@code nio}
 * @param shutdownTimeoutMillis how long {@link QrrotServer#close()} waits for replies still awaiting
 *                           durability before it closes their connections anyway (default 10 s)
 * @param memcachedPort      TCP port that serves the memcached text protocol only; -1 = none (default), 0 picks
 *                           a free one ({@link QrrotServer#memcachedPort()}). The main port serves memcached
 *                           clients too, told apart by their first line
 * @param memcachedItemSize  largest value a memcached client may store (memcached's {@code -I}; default 1 MiB,
 *                           at most 1 GiB)
 */
public record ServerOptions(String bind, int port, String requirePass, int maxClients, boolean protectedMode,
                            long queryBufferLimit, long multiQueueLimit, long clientMemoryBudget,
                            long maxBulkLength, long outputBufferLimit, int idleTimeoutSeconds, int ioThreads,
                            Transport transport, long shutdownTimeoutMillis, int memcachedPort,
                            long memcachedItemSize) {

    public static final long MIB = 1L << 20;
    /** The largest bulk a connection can hold: a Java array and a Netty buffer both index with an int. */
    public static final long MAX_BULK_CEILING = Integer.MAX_VALUE - 64L;

    /** Which network transport carries the connections. */
    public enum Transport { AUTO, EPOLL, NIO }

    public ServerOptions {
        if (bind == null || bind.isBlank()) {
            throw new IllegalArgumentException("bind address must be set, e.g. 127.0.0.1");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, not " + port);
        }
        if (maxClients < 1) {
            throw new IllegalArgumentException("maxClients must be at least 1, not " + maxClients);
        }
        if (maxBulkLength < 1 || maxBulkLength > MAX_BULK_CEILING) {
            throw new IllegalArgumentException("maxBulkLength must be 1.." + MAX_BULK_CEILING + ", not " + maxBulkLength);
        }
        if (queryBufferLimit < 1024) {
            throw new IllegalArgumentException("queryBufferLimit must be at least 1024 bytes, not " + queryBufferLimit);
        }
        if (multiQueueLimit < 1024) {
            throw new IllegalArgumentException("multiQueueLimit must be at least 1024 bytes, not " + multiQueueLimit);
        }
        if (clientMemoryBudget < 0) {
            throw new IllegalArgumentException("clientMemoryBudget must be >= 0 (0 = a quarter of the heap), not "
                    + clientMemoryBudget);
        }
        if (outputBufferLimit < 0 || idleTimeoutSeconds < 0 || shutdownTimeoutMillis < 0) {
            throw new IllegalArgumentException("outputBufferLimit, idleTimeoutSeconds and shutdownTimeoutMillis must be >= 0");
        }
        if (ioThreads < 1) {
            throw new IllegalArgumentException("ioThreads must be at least 1, not " + ioThreads);
        }
        if (transport == null) {
            throw new IllegalArgumentException("transport must be set (AUTO, EPOLL or NIO)");
        }
        if (memcachedPort < -1 || memcachedPort > 65535) {
            throw new IllegalArgumentException("memcachedPort must be 0..65535 (or -1 for none), not " + memcachedPort);
        }
        if (memcachedItemSize < 1024 || memcachedItemSize > 1024 * MIB) {
            throw new IllegalArgumentException("memcachedItemSize must be 1 KiB..1 GiB, not " + memcachedItemSize);
        }
        if (requirePass != null && requirePass.isEmpty()) {
            requirePass = null;
        }
    }

    public static ServerOptions defaults() {
        return new ServerOptions("127.0.0.1", 6379, null, 10_000, true, 1024 * MIB, 1024 * MIB, 0, 512 * MIB,
                1024 * MIB, 0, defaultIoThreads(), Transport.AUTO, 10_000, -1, MIB);
    }

    /**
     * Half the cores, at least one: the other half is left to the WAL writer, compaction and, on a small
     * machine, the clients (docs/decisions.md has the measurement).
     */
    public static int defaultIoThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    public ServerOptions withBind(String v) {
        return new ServerOptions(v, port, requirePass, maxClients, protectedMode, queryBufferLimit, multiQueueLimit,
                clientMemoryBudget, maxBulkLength, outputBufferLimit, idleTimeoutSeconds, ioThreads, transport,
                shutdownTimeoutMillis, memcachedPort, memcachedItemSize);
    }

    public ServerOptions withPort(int v) {
        return new ServerOptions(bind, v, requirePass, maxClients, protectedMode, queryBufferLimit, multiQueueLimit,
                clientMemoryBudget, maxBulkLength, outputBufferLimit, idleTimeoutSeconds, ioThreads, transport,
                shutdownTimeoutMillis, memcachedPort, memcachedItemSize);
    }

    public ServerOptions withRequirePass(String v) {
        return new ServerOptions(bind, port, v, maxClients, protectedMode, queryBufferLimit, multiQueueLimit,
                clientMemoryBudget, maxBulkLength, outputBufferLimit, idleTimeoutSeconds, ioThreads, transport,
                shutdownTimeoutMillis, memcachedPort, memcachedItemSize);
    }

    public ServerOptions withMaxClients(int v) {
        return new ServerOptions(bind, port, requirePass, v, protectedMode, queryBufferLimit, multiQueueLimit,
                clientMemoryBudget, maxBulkLength, outputBufferLimit, idleTimeoutSeconds, ioThreads, transport,
                shutdownTimeoutMillis, memcachedPort, memcachedItemSize);
    }

    public ServerOptions withProtectedMode(boolean v) {
        return new ServerOptions(bind, port, requirePass, maxClients, v, queryBufferLimit, multiQueueLimit,
                clientMemoryBudget, maxBulkLength, outputBufferLimit, idleTimeoutSeconds, ioThreads, transport,
                shutdownTimeoutMillis, memcachedPort, memcachedItemSize);
    }

    public ServerOptions withQueryBufferLimit(long v) {
        return new ServerOptions(bind, port, requirePass, maxClients, protectedMode, v, multiQueueLimit,
                clientMemoryBudget, maxBulkLength, outputBufferLimit, idleTimeoutSeconds, ioThreads, transport,
                shutdownTimeoutMillis, memcachedPort, memcachedItemSize);
    }

    public ServerOptions withMultiQueueLimit(long v) {
        return new ServerOptions(bind, port, requirePass, maxClients, protectedMode, queryBufferLimit, v,
                clientMemoryBudget, maxBulkLength, outputBufferLimit, idleTimeoutSeconds, ioThreads, transport,
                shutdownTimeoutMillis, memcachedPort, memcachedItemSize);
    }

    public ServerOptions withClientMemoryBudget(long v) {
        return new ServerOptions(bind, port, requirePass, maxClients, protectedMode, queryBufferLimit,
                multiQueueLimit, v, maxBulkLength, outputBufferLimit, idleTimeoutSeconds, ioThreads, transport,
                shutdownTimeoutMillis, memcachedPort, memcachedItemSize);
    }

    public ServerOptions withMaxBulkLength(long v) {
        return new ServerOptions(bind, port, requirePass, maxClients, protectedMode, queryBufferLimit,
                multiQueueLimit, clientMemoryBudget, v, outputBufferLimit, idleTimeoutSeconds, ioThreads, transport,
                shutdownTimeoutMillis, memcachedPort, memcachedItemSize);
    }

    public ServerOptions withOutputBufferLimit(long v) {
        return new ServerOptions(bind, port, requirePass, maxClients, protectedMode, queryBufferLimit,
                multiQueueLimit, clientMemoryBudget, maxBulkLength, v, idleTimeoutSeconds, ioThreads, transport,
                shutdownTimeoutMillis, memcachedPort, memcachedItemSize);
    }

    public ServerOptions withIdleTimeoutSeconds(int v) {
        return new ServerOptions(bind, port, requirePass, maxClients, protectedMode, queryBufferLimit,
                multiQueueLimit, clientMemoryBudget, maxBulkLength, outputBufferLimit, v, ioThreads, transport,
                shutdownTimeoutMillis, memcachedPort, memcachedItemSize);
    }

    public ServerOptions withIoThreads(int v) {
        return new ServerOptions(bind, port, requirePass, maxClients, protectedMode, queryBufferLimit,
                multiQueueLimit, clientMemoryBudget, maxBulkLength, outputBufferLimit, idleTimeoutSeconds, v,
                transport, shutdownTimeoutMillis, memcachedPort, memcachedItemSize);
    }

    public ServerOptions withTransport(Transport v) {
        return new ServerOptions(bind, port, requirePass, maxClients, protectedMode, queryBufferLimit,
                multiQueueLimit, clientMemoryBudget, maxBulkLength, outputBufferLimit, idleTimeoutSeconds, ioThreads,
                v, shutdownTimeoutMillis, memcachedPort, memcachedItemSize);
    }

    public ServerOptions withShutdownTimeoutMillis(long v) {
        return new ServerOptions(bind, port, requirePass, maxClients, protectedMode, queryBufferLimit,
                multiQueueLimit, clientMemoryBudget, maxBulkLength, outputBufferLimit, idleTimeoutSeconds, ioThreads,
                transport, v, memcachedPort, memcachedItemSize);
    }

    public ServerOptions withMemcachedPort(int v) {
        return new ServerOptions(bind, port, requirePass, maxClients, protectedMode, queryBufferLimit,
                multiQueueLimit, clientMemoryBudget, maxBulkLength, outputBufferLimit, idleTimeoutSeconds, ioThreads,
                transport, shutdownTimeoutMillis, v, memcachedItemSize);
    }

    public ServerOptions withMemcachedItemSize(long v) {
        return new ServerOptions(bind, port, requirePass, maxClients, protectedMode, queryBufferLimit,
                multiQueueLimit, clientMemoryBudget, maxBulkLength, outputBufferLimit, idleTimeoutSeconds, ioThreads,
                transport, shutdownTimeoutMillis, memcachedPort, v);
    }
}
