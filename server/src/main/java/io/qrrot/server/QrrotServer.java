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
 */
public final class QrrotServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QrrotServer.class);

    private final ServerContext context;
    private final ServerOptions options;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private EventLoopGroup group;
    private Channel serverChannel;

    public QrrotServer(Qrrot db, ServerOptions options) {
        this.options = options;
        this.context = new ServerContext(db, options);
        this.context.shutdownRequest = this::closeAsync;
    }

    /**
     * Binds and starts serving.
     *
     * @throws IOException when the address cannot be bound (in use, not local), with the address named
     */
    public QrrotServer start() throws IOException {
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
        context.transport = epoll ? "epoll" : "nio";
        group = new MultiThreadIoEventLoopGroup(options.ioThreads(), new DefaultThreadFactory("qrrot-io", true), io);
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 511)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ClientConnection(context));
                    }
                });
        try {
            serverChannel = b.bind(new InetSocketAddress(options.bind(), options.port())).sync().channel();
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            context.admin.shutdownNow();
            context.fileReads.shutdownNow();
            terminated.complete(null);
            throw new IOException("cannot listen on " + options.bind() + ":" + options.port() + " ("
                    + e.getMessage() + "); is another server using the port? Pick another with --port", e);
        }
        context.port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        group.next().scheduleAtFixedRate(this::idleSweep, 1, 1, TimeUnit.SECONDS);
        log.info("listening on {}:{} ({}, {} I/O threads, protected mode {}, {})", options.bind(), context.port,
                context.transport, options.ioThreads(), context.protectedMode ? "on" : "off",
                context.requirePass == null ? "no password" : "password required");
        return this;
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        if (serverChannel == null) {
            throw new IllegalStateException("server not started");
        }
        return context.port;
    }

    /** "epoll" or "nio" once started. */
    public String transport() {
        return context.transport;
    }

    /** Number of connected clients. */
    public int connectedClients() {
        return context.clients.size();
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

    private void idleSweep() {
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
        try {
            if (serverChannel != null) {
                serverChannel.close().syncUninterruptibly();
                for (ClientConnection c : context.clients.values()) {
                    c.loop.execute(c::beginDrain);
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
            context.admin.shutdown();
            context.fileReads.shutdown();
            context.admin.awaitTermination(30, TimeUnit.SECONDS);
            context.fileReads.awaitTermination(30, TimeUnit.SECONDS);
            log.info("server stopped");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            terminated.complete(null);
        }
    }
}
