package io.qrrot.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.qrrot.recovery.Qrrot;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis-protocol server in front of a {@link Qrrot} database.
 *
 * <pre>{@code
 * try (Qrrot db = DurableQrrot.open(dir, QrrotOptions.defaults());
 *      QrrotServer server = new QrrotServer(db, ServerOptions.defaults().withPort(6379))) {
 *     server.start();
 *     server.awaitTermination();      // returns after SHUTDOWN or close()
 * }                                   // the server closes before the database
 * }</pre>
 *
 * <p>Threading: {@code ioThreads} event loops; each accepted connection stays on one loop, which decodes,
 * executes (through the facade, on that same thread) and encodes. The facade's durability completion is
 * the only hand-off back to a loop. SAVE, BGSAVE and SHUTDOWN's work run on one admin thread. The server
 * does not own the database: close the server first, then the database.
 *
 * <p>Failures: a connection contains whatever its own code throws (it closes, the loop goes on). An event
 * loop thread that ends while the server is not closing (an error thrown inside Netty's own loop) stops the
 * process with exit status {@value #LOOP_DIED_EXIT} after one log line: its connections could never be read
 * or answered again, and a process that looks alive but answers nothing is worse than one that is gone
 * (docs/decisions.md).
 */
public final class QrrotServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QrrotServer.class);
    /** Exit status of a process stopped because an event loop thread died (sysexits' EX_SOFTWARE). */
    public static final int LOOP_DIED_EXIT = 70;

    /** Null until {@link #serve} for a server made by {@link #listen}. */
    private volatile ServerContext context;
    private final ServerOptions options;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private EventLoopGroup group;
    private Channel serverChannel;
    /** The memcached-only listener, when {@link ServerOptions#memcachedPort()} asks for one. */
    private Channel memcachedChannel;
    private volatile int boundMemcachedPort = -1;
    private volatile int boundPort;
    private volatile String transport;

    public QrrotServer(Qrrot db, ServerOptions options) {
        this.options = options;
        this.context = newContext(db);
    }

    private QrrotServer(ServerOptions options) {
        this.options = options;
    }

    private ServerContext newContext(Qrrot db) {
        ServerContext c = new ServerContext(db, options);
        c.shutdownRequest = this::closeAsync;
        return c;
    }

    /**
     * Binds and starts serving.
     *
     * @throws IOException when the address cannot be bound (in use, not local), with the address named
     */
    public QrrotServer start() throws IOException {
        if (context == null) {
            throw new IllegalStateException("a server made by listen() starts serving with serve(db)");
        }
        bind();
        return accept();
    }

    /**
     * Binds the address and accepts no connection yet: clients wait in the listen backlog until
     * {@link #serve} hands over the database, so none ever sees one half open. Lets the owner claim the
     * port before it opens (recovers, or creates) the database.
     *
     * @throws IOException when the address cannot be bound, with the address named and a hint fitting why
     */
    public static QrrotServer listen(ServerOptions options) throws IOException {
        QrrotServer server = new QrrotServer(options);
        server.bind();
        return server;
    }

    /** Starts serving {@code db} on the address {@link #listen} bound. */
    public QrrotServer serve(Qrrot db) {
        if (context != null || serverChannel == null) {
            throw new IllegalStateException("serve(db) follows listen(options), once");
        }
        context = newContext(db);
        return accept();
    }

    private void bind() throws IOException {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("server already started");
        }
        boolean epoll = switch (options.transport()) {
            case AUTO -> Epoll.isAvailable();
            case EPOLL -> {
                Epoll.ensureAvailability();
                yield true;
            }
            case NIO -> false;
        };
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        transport = epoll ? "epoll" : "nio";
        group = new MultiThreadIoEventLoopGroup(options.ioThreads(), new LoopThreads(), io);
        int port = options.port();
        try {
            serverChannel = bootstrap(channelType, ClientConnection.UNDECIDED)
                    .bind(new InetSocketAddress(options.bind(), port)).sync().channel();
            if (options.memcachedPort() >= 0) {
                port = options.memcachedPort();
                memcachedChannel = bootstrap(channelType, ClientConnection.MEMCACHED)
                        .bind(new InetSocketAddress(options.bind(), port)).sync().channel();
            }
        } catch (Exception e) {
            closing.set(true);
            if (serverChannel != null) {
                serverChannel.close().syncUninterruptibly();
            }
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            if (context != null) {
                context.admin.shutdownNow();
                context.fileReads.shutdownNow();
            }
            terminated.complete(null);
            String failure = bindFailure(options.bind(), port, e);
            throw new IOException(port == options.port() ? failure
                    : failure.replace("with --port", "with --memcached-port"), e);
        }
        boundPort = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        if (memcachedChannel != null) {
            boundMemcachedPort = ((InetSocketAddress) memcachedChannel.localAddress()).getPort();
        }
    }

    /** A listener whose connections start as {@code protocol} ({@link ClientConnection#UNDECIDED}: the main port). */
    private ServerBootstrap bootstrap(Class<? extends ServerChannel> channelType, int protocol) {
        return new ServerBootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 511)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.AUTO_READ, false) // accepts nothing until accept() below
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                // A client's end of input is an event, not a close: what it sent before is still answered.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ClientConnection(context, protocol));
                    }
                });
    }

    /** "cannot listen on ADDR:PORT (why)", and what to do where the reason says it. */
    static String bindFailure(String bind, int port, Throwable e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String hint;
        if (why.contains("Address already in use")) {
            hint = "; is another server using the port? Pick another with --port";
        } else if (why.contains("Cannot assign requested address")) {
            hint = "; " + bind + " is not an address of this machine: pick one of its addresses with --bind";
        } else if (why.contains("Permission denied") || why.contains("Access denied")) {
            hint = port < 1024 ? "; ports below 1024 need privileges: pick another with --port" : "";
        } else {
            hint = "";
        }
        return "cannot listen on " + bind + ":" + port + " (" + why + ")" + hint;
    }

    private QrrotServer accept() {
        ServerContext context = this.context;
        context.transport = transport;
        context.port = boundPort;
        group.next().scheduleAtFixedRate(this::idleSweep, 1, 1, TimeUnit.SECONDS);
        context.sampler.start();
        serverChannel.config().setAutoRead(true);
        if (memcachedChannel != null) {
            memcachedChannel.config().setAutoRead(true);
            log.info("memcached text protocol on {}:{} (and detected on {})", options.bind(), boundMemcachedPort,
                    context.port);
        }
        log.info("listening on {}:{} ({}, {} I/O threads, protected mode {}, {})", options.bind(), context.port,
                context.transport, options.ioThreads(), context.protectedMode ? "on" : "off",
                context.requirePass == null ? "no password" : "password required");
        return this;
    }

    /**
     * Whether a client at {@code remote} that offers {@code password} (null: none) may read this server's
     * metrics, by the rules the main port applies as they stand now (CONFIG SET may change them): with
     * {@code requirepass} set, the password must match; without, protected mode admits loopback clients only.
     */
    public boolean admits(java.net.InetAddress remote, String password) {
        ServerContext context = this.context;
        String required = context == null ? options.requirePass() : context.requirePass;
        if (required != null) {
            return password != null && java.security.MessageDigest.isEqual(
                    required.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    password.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        boolean protectedMode = context == null ? options.protectedMode() : context.protectedMode;
        return !protectedMode || remote == null || remote.isLoopbackAddress();
    }

    /** True when {@code requirepass} is set (metrics readers then authenticate with it). */
    public boolean passwordRequired() {
        ServerContext context = this.context;
        return context == null ? options.requirePass() != null : context.requirePass != null;
    }

    /** The server's counters now (commands, errors, connections), for metrics; null until it serves a database. */
    public ServerStats stats() {
        ServerContext context = this.context;
        return context == null ? null : ServerStats.of(context);
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        if (serverChannel == null) {
            throw new IllegalStateException("server not started");
        }
        return boundPort;
    }

    /** The memcached port actually bound, or -1 when there is none. */
    public int memcachedPort() {
        return boundMemcachedPort;
    }

    /** "epoll" or "nio" once started. */
    public String transport() {
        return transport;
    }

    /** Number of connected clients. */
    public int connectedClients() {
        ServerContext context = this.context;
        return context == null ? 0 : context.clients.size();
    }

    /** Completes when the server has stopped (after {@link #close()} or a SHUTDOWN command). */
    public CompletableFuture<Void> termination() {
        return terminated;
    }

    /** Blocks until the server has stopped. */
    public void awaitTermination() throws InterruptedException {
        try {
            terminated.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Event loop threads that stop the process if they end while the server is not closing. */
    private final class LoopThreads extends DefaultThreadFactory {
        LoopThreads() {
            super("qrrot-io", true);
        }

        @Override
        protected Thread newThread(Runnable r, String name) {
            return super.newThread(() -> {
                try {
                    r.run();
                } finally {
                    loopEnded(name);
                }
            }, name);
        }
    }

    /**
     * Runs as an event loop thread ends. While closing that is the plan. Otherwise an error was thrown inside
     * Netty's loop itself (Netty logged it just before, if it still could): the loop's connections will never be
     * read or answered again, and the other loops cannot take them over. Fail-stop: one log line, then the
     * process halts, so clients see their connections close and a supervisor restarts the server; every
     * acknowledged write is in the WAL (the same as after kill -9, which the crash tests cover).
     */
    private void loopEnded(String thread) {
        if (closing.get()) {
            return;
        }
        try {
            log.error("FATAL: event loop thread {} stopped unexpectedly (the error is logged above); its clients"
                    + " can no longer be served. Stopping the process with exit status {}.", thread, LOOP_DIED_EXIT);
        } catch (Throwable t) {
            try {
                System.err.println("qrrot: FATAL: event loop thread " + thread + " stopped unexpectedly; stopping"
                        + " the process with exit status " + LOOP_DIED_EXIT);
            } catch (Throwable ignored) {
                // halt anyway
            }
        } finally {
            Runtime.getRuntime().halt(LOOP_DIED_EXIT);
        }
    }

    private void idleSweep() {
        ServerContext context = this.context;
        int timeout = context.idleTimeoutSeconds;
        if (timeout <= 0) {
            return;
        }
        long now = System.currentTimeMillis();
        for (ClientConnection c : context.clients.values()) {
            c.loop.execute(() -> c.checkIdle(now, timeout));
        }
    }

    private void closeAsync() {
        Thread t = new Thread(() -> {
            try {
                close();
            } catch (RuntimeException e) {
                log.error("shutdown failed", e);
            }
        }, "qrrot-shutdown");
        t.setDaemon(false);
        t.start();
    }

    /**
     * Graceful shutdown: stop accepting, stop reading, send every reply still waiting for durability (up to
     * {@code shutdownTimeoutMillis}), close the connections and stop the threads. Idempotent; the database
     * stays open (its owner closes it after this returns).
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            terminated.join();
            return;
        }
        ServerContext context = this.context;
        if (context == null) { // bound by listen(), never served: nothing but the port and the loops to release
            try {
                if (serverChannel != null) {
                    serverChannel.close().syncUninterruptibly();
                }
                if (memcachedChannel != null) {
                    memcachedChannel.close().syncUninterruptibly();
                }
                if (group != null) {
                    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
                }
            } finally {
                terminated.complete(null);
            }
            return;
        }
        // A SAVE or BGSAVE folding on the admin thread would hold the stop below for as long as it takes:
        // the WAL holds every write, so the snapshot is given up (its SAVE client gets an error).
        context.db.abortSnapshots();
        try {
            if (serverChannel != null) {
                serverChannel.close().syncUninterruptibly();
                if (memcachedChannel != null) {
                    memcachedChannel.close().syncUninterruptibly();
                }
                java.util.concurrent.ScheduledFuture<?> flush = context.pendingFlush;
                if (flush != null) {
                    flush.cancel(false);
                }
                for (ClientConnection c : context.clients.values()) {
                    try {
                        c.loop.execute(c::beginDrain);
                    } catch (java.util.concurrent.RejectedExecutionException stopped) {
                        // its loop is gone, and the connection with it
                    }
                }
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.shutdownTimeoutMillis());
                while (!context.clients.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                if (!context.clients.isEmpty()) {
                    log.warn("{} connection(s) still waited for durability after {} ms; closing them without "
                            + "those replies (the writes may still be durable: clients must check)",
                            context.clients.size(), options.shutdownTimeoutMillis());
                    for (ClientConnection c : context.clients.values()) {
                        c.channel.close();
                    }
                }
            }
            if (group != null) {
                group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            }
            context.sampler.stop();
            context.admin.shutdown();
            context.fileReads.shutdown();
            context.admin.awaitTermination(30, TimeUnit.SECONDS);
            context.fileReads.awaitTermination(30, TimeUnit.SECONDS);
            context.db.allowSnapshots(); // the database may outlive this server (its owner closes it)
            context.db.clearLatencyListener(context.latency); // unless another server set its own since
            log.info("server stopped");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            terminated.complete(null);
        }
    }
}
