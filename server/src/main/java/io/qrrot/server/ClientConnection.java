package io.qrrot.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.qrrot.engine.CommandArgs;
import io.qrrot.engine.CommandSpec.Flag;
import io.qrrot.recovery.Qrrot;
import io.qrrot.server.resp.RequestDecoder;
import io.qrrot.server.resp.RespEncoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: decodes its requests, executes each on the event loop that read it, and sends the
 * replies in request order, each only once the log record it depends on is durable.
 *
 * <p><b>Replies and durability.</b> Replies are encoded straight into buffers. While nothing waits for
 * durability they go to {@code out}, written at the end of each read batch. A command that returns an LSN
 * starts a <em>held chunk</em>; every later reply (a read too, to keep the order) is appended to the newest
 * chunk until the batch ends, when the chunk is sealed and one {@code whenDurable(lsn)} is registered for it.
 * When the facade reports an LSN durable, the chunks up to it are written in order. The event loop never
 * blocks: the only hand-off is the facade's completion, queued back to this connection's loop.
 *
 * <p><b>Threading.</b> Confined to its event loop, except the fields read by CLIENT LIST and INFO from other
 * threads (plain reads of counters and names: informational, may be a moment stale).
 */
final class ClientConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);
    /** Stop reading from a client whose unsent replies pass this (it is not reading them). */
    private static final long PAUSE_READING_AT = 4L << 20;
    private static final long RESUME_READING_AT = 1L << 20;
    /** Arguments arrays grown past this by one big command are dropped after it. */
    private static final int SHRINK_ARGS_ABOVE = 1 << 20;
    private static final int DISCARD_READ_BYTES_AT = 64 * 1024;
    static final String NOAUTH = "NOAUTH Authentication required.";

    final ServerContext server;
    final long id;
    final long createdMillis = System.currentTimeMillis();

    Channel channel;
    private ChannelHandlerContext ctx;
    EventLoop loop;
    private LoopBatch batch;
    Qrrot.Session session;
    CommandArgs args = new CommandArgs();
    private final RequestDecoder decoder;
    final RespEncoder reply = new RespEncoder();

    private ByteBuf in;
    private ByteBuf out;
    private final ArrayDeque<Chunk> held = new ArrayDeque<>();
    private Chunk tail;
    private long heldBytes;
    private long durableLsn;
    private final ArrayDeque<Chunk> chunkPool = new ArrayDeque<>();
    private final ArrayDeque<DurableWait> waitPool = new ArrayDeque<>();
    private int replyStart;

    boolean authenticated;
    boolean closeAfterReply;
    private boolean draining;
    private boolean paused;
    /** A server command is running on the admin thread; its reply and the next commands wait for it. */
    boolean blocked;
    private boolean txDirty;
    private boolean processing;
    private boolean registered;
    boolean closed;
    /** The snapshot file SNAPSHOT BEGIN opened for this connection, or null. */
    SnapshotCommand.Pin snapshotPin;

    // Read by other threads for CLIENT LIST / INFO (informational).
    volatile String name = "";
    volatile String libName = "";
    volatile String libVersion = "";
    volatile long lastInteractionMillis = createdMillis;
    volatile String lastCommand = "NULL";
    volatile int protocolSnapshot = 2;
    long commandsProcessed;
    long netInput;
    long netOutput;
    private volatile boolean resetStats;

    ClientConnection(ServerContext server) {
        this.server = server;
        this.id = server.nextClientId.incrementAndGet();
        this.decoder = new RequestDecoder(server.maxBulkLength);
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.channel = ctx.channel();
        this.loop = channel.eventLoop();
        this.batch = LoopBatch.of(server, loop);
        server.totalConnections.incrementAndGet();
        if (server.connected.incrementAndGet() > server.maxClients) {
            server.connected.decrementAndGet();
            server.rejectedConnections.incrementAndGet();
            refuse("ERR max number of clients reached");
            return;
        }
        registered = true;
        InetSocketAddress remote = (InetSocketAddress) channel.remoteAddress();
        if (server.protectedMode && server.requirePass == null && remote != null
                && !remote.getAddress().isLoopbackAddress()) {
            server.rejectedConnections.incrementAndGet();
            refuse(ProtectedMode.DENIED);
            return;
        }
        try {
            session = server.db.newSession();
        } catch (RuntimeException e) {
            log.error("client {}: the database refused a new session; closing the connection", id, e);
            refuse("ERR the database is not accepting connections (closing or failed); see the server log");
            return;
        }
        authenticated = server.requirePass == null;
        server.clients.put(id, this);
    }

    private void refuse(String error) {
        closed = true;
        ByteBuf b = ctx.alloc().buffer(error.length() + 3);
        b.writeByte('-').writeCharSequence(error, StandardCharsets.UTF_8);
        b.writeByte('\r').writeByte('\n');
        ctx.writeAndFlush(b).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        if (registered) {
            registered = false;
            server.connected.decrementAndGet();
            server.clients.remove(id);
            server.closedCommands.addAndGet(commandsProcessed);
            server.closedNetInput.addAndGet(netInput);
            server.closedNetOutput.addAndGet(netOutput);
        }
        if (in != null) {
            in.release();
            in = null;
        }
        if (out != null) {
            out.release();
            out = null;
        }
        for (Chunk c : held) {
            c.buf.release();
        }
        held.clear();
        tail = null;
        heldBytes = 0;
        SnapshotCommand.release(this);
        if (session != null) {
            try {
                session.close();
            } catch (RuntimeException e) {
                log.warn("client {}: closing its database session failed", id, e);
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof java.io.IOException) {
            log.debug("client {}: connection error: {}", id, cause.toString());
        } else {
            log.error("client {}: unexpected error; closing the connection", id, cause);
        }
        ctx.close();
    }

    // ---------------------------------------------------------------- input

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf data = (ByteBuf) msg;
        netInput += data.readableBytes();
        lastInteractionMillis = System.currentTimeMillis();
        if (resetStats) {
            resetStats = false;
            commandsProcessed = 0;
            netInput = data.readableBytes();
            netOutput = 0;
        }
        if (closed || closeAfterReply || draining) {
            data.release();
            return;
        }
        in = in == null ? data : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), in, data);
        processInput();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        endBatch();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (channel.isWritable()) {
            maybeResume();
        }
    }

    /** Executes every complete command in the input buffer, unless paused, blocked or closing. */
    void processInput() {
        if (in == null || processing) {
            return;
        }
        processing = true;
        try {
            decoder.maxBulkLength(server.maxBulkLength);
            while (!paused && !blocked && !closeAfterReply && !draining && !closed) {
                int r = decoder.decode(in, args, authRequired());
                if (r == RequestDecoder.NEED_MORE) {
                    break;
                }
                if (r == RequestDecoder.PROTOCOL_ERROR) {
                    server.protocolErrors.incrementAndGet();
                    log.debug("client {}: protocol error, closing after the reply: {}", id, decoder.error());
                    beginReply();
                    reply.error(decoder.error());
                    endReply(0);
                    closeAfterReply = true;
                    break;
                }
                execute();
                afterCommand();
            }
            if (in != null && !closed) {
                if (!in.isReadable()) {
                    in.release();
                    in = null;
                } else if (in.readableBytes() + decoder.pendingBytes() > server.queryBufferLimit) {
                    server.queryLimitDisconnections.incrementAndGet();
                    log.warn("client {} ({}): closed: an incomplete command passed the query buffer limit of {} bytes"
                            + " (CONFIG SET client-query-buffer-limit to raise it)", id, channel.remoteAddress(),
                            server.queryBufferLimit);
                    closeNow();
                } else if (in.readerIndex() > DISCARD_READ_BYTES_AT) {
                    in.discardSomeReadBytes();
                }
            }
        } finally {
            processing = false;
        }
    }

    boolean authRequired() {
        return !authenticated && server.requirePass != null;
    }

    // ---------------------------------------------------------------- dispatch

    private void execute() {
        commandsProcessed++;
        CommandTable.Entry e = server.commands.lookup(args);
        beginReply();
        if (e == null) {
            reply.error(Errors.unknownCommand(args));
            flagTransaction();
            endReply(0);
            return;
        }
        lastCommand = e.lowerName();
        if (!e.spec().arityAccepts(args.count())) {
            reply.error(Errors.wrongArity(e.lowerName()));
            flagTransaction();
            endReply(0);
            return;
        }
        if (authRequired() && !e.spec().is(Flag.NO_AUTH)) {
            reply.error(NOAUTH);
            endReply(0);
            return;
        }
        if (e.server() != null) {
            if (session.inTransaction() && !e.server().immediateInMulti) {
                reply.error("ERR Command not allowed inside a transaction");
                txDirty = true;
                endReply(0);
                return;
            }
            ServerCommands.run(e.server(), this);
            if (!blocked) {
                endReply(0);
            }
            return;
        }
        if (txDirty && args.is(0, "EXEC")) {
            session.execute(CommandArgs.of("DISCARD"), DiscardingSink.INSTANCE);
            txDirty = false;
            reply.error("EXECABORT Transaction discarded because of previous errors.");
            endReply(0);
            return;
        }
        long lsn;
        try {
            lsn = session.execute(args, reply);
        } catch (RuntimeException ex) {
            log.error("client {}: the database failed executing '{}'", id, e.lowerName(), ex);
            reply.target().writerIndex(replyStart);
            reply.error("ERR internal error executing '" + e.lowerName() + "'; see the server log");
            lsn = 0;
        }
        if (!session.inTransaction()) {
            txDirty = false;
        }
        if (lsn > 0) {
            batch.logged();
        }
        endReply(lsn);
    }

    private void flagTransaction() {
        if (session != null && session.inTransaction()) {
            txDirty = true;
        }
    }

    private void afterCommand() {
        if (args.array().length > SHRINK_ARGS_ABOVE) {
            args = new CommandArgs();
        }
        long unsent = unsentBytes();
        long limit = server.outputBufferLimit;
        if (limit > 0 && unsent > limit) {
            server.outputLimitDisconnections.incrementAndGet();
            log.warn("client {} ({}): closed: {} bytes of replies unread, over the output buffer limit of {} bytes",
                    id, channel.remoteAddress(), unsent, limit);
            closeNow();
            return;
        }
        if (unsent > PAUSE_READING_AT && !paused) {
            paused = true;
            channel.config().setAutoRead(false);
        }
    }

    // ---------------------------------------------------------------- output

    /** Where the next reply goes: the newest held chunk while any reply waits, else the ready buffer. */
    private ByteBuf target() {
        if (tail != null) {
            return tail.buf;
        }
        if (out == null) {
            out = ctx.alloc().directBuffer(256);
        }
        return out;
    }

    /** Points the encoder at the right buffer for one reply. */
    void beginReply() {
        ByteBuf t = target();
        reply.target(t);
        replyStart = t.writerIndex();
    }

    /** Files the reply just encoded: ready, or held until {@code lsn} (if > 0) is durable. */
    void endReply(long lsn) {
        ByteBuf t = reply.target();
        int end = t.writerIndex();
        int len = end - replyStart;
        if (lsn > 0) {
            if (tail == null) {
                Chunk c = newChunk(lsn);
                c.buf.writeBytes(t, replyStart, len);
                t.writerIndex(replyStart);
                c.replies = 1;
            } else if (tail.registered && lsn > tail.lsn) {
                // The newest chunk already waits for an older LSN: this reply needs a later one.
                Chunk from = tail;
                Chunk c = newChunk(lsn);
                c.buf.writeBytes(from.buf, replyStart, len);
                from.buf.writerIndex(replyStart);
                c.replies = 1;
            } else {
                tail.lsn = Math.max(tail.lsn, lsn);
                tail.replies++;
            }
            heldBytes += len;
        } else if (tail != null) {
            tail.replies++;
            heldBytes += len;
        }
    }

    private Chunk newChunk(long lsn) {
        Chunk c = chunkPool.pollFirst();
        if (c == null) {
            c = new Chunk();
        }
        c.buf = ctx.alloc().directBuffer(256);
        c.lsn = lsn;
        c.replies = 0;
        c.registered = false;
        held.addLast(c);
        tail = c;
        return c;
    }

    /** End of a read batch: send ready replies, register the durability wait of the newest chunk. */
    void endBatch() {
        if (closed) {
            return;
        }
        if (out != null && out.isReadable()) {
            netOutput += out.readableBytes();
            ctx.writeAndFlush(out, ctx.voidPromise());
            out = null;
        }
        if (tail != null && !tail.registered) {
            tail.registered = true;
            DurableWait w = waitPool.pollFirst();
            if (w == null) {
                w = new DurableWait(this);
            }
            w.lsn = tail.lsn;
            try {
                server.db.whenDurable(w.lsn, w);
            } catch (RuntimeException e) {
                log.error("client {}: registering a durability wait for LSN {} failed", id, w.lsn, e);
                durabilityReached(w.lsn, "IOERR the write could not be confirmed durable; see the server log");
            }
        }
        if ((closeAfterReply || draining) && tail == null) {
            closeAfterFlush();
        }
    }

    /** Called on this connection's loop when {@code lsn} is durable, or failed ({@code failure} != null). */
    void durabilityReached(long lsn, String failure) {
        if (closed) {
            return;
        }
        boolean wrote = false;
        if (failure == null && lsn > durableLsn) {
            durableLsn = lsn;
        }
        long upTo = failure == null ? durableLsn : lsn;
        while (!held.isEmpty()) {
            Chunk c = held.peekFirst();
            if (!c.registered || c.lsn > upTo) {
                break;
            }
            held.pollFirst();
            heldBytes -= c.buf.readableBytes();
            if (failure == null) {
                netOutput += c.buf.readableBytes();
                ctx.write(c.buf, ctx.voidPromise());
            } else {
                server.durabilityFailures.incrementAndGet();
                c.buf.release();
                ByteBuf err = ctx.alloc().directBuffer(64 * c.replies);
                reply.target(err);
                for (int i = 0; i < c.replies; i++) {
                    reply.error(failure);
                }
                netOutput += err.readableBytes();
                ctx.write(err, ctx.voidPromise());
            }
            c.buf = null;
            chunkPool.addFirst(c);
            wrote = true;
        }
        tail = held.peekLast();
        if (wrote) {
            lastInteractionMillis = System.currentTimeMillis();
            ctx.flush();
        }
        if ((closeAfterReply || draining) && tail == null) {
            closeAfterFlush();
        } else {
            maybeResume();
        }
    }

    void recycle(DurableWait w) {
        if (waitPool.size() < 64) {
            waitPool.addFirst(w);
        }
    }

    private void maybeResume() {
        if (!paused || closed || unsentBytes() > RESUME_READING_AT) {
            return;
        }
        paused = false;
        channel.config().setAutoRead(true);
        processInput();
        endBatch();
    }

    long unsentBytes() {
        long n = heldBytes + (out == null ? 0 : out.readableBytes());
        ChannelOutboundBuffer ob = channel.unsafe().outboundBuffer();
        return ob == null ? n : n + ob.totalPendingWriteBytes();
    }

    /** Held (awaiting durability) reply bytes; for CLIENT LIST. */
    long heldBytes() {
        return heldBytes;
    }

    int heldChunks() {
        return held.size();
    }

    long queryBufferBytes() {
        return in == null ? 0 : in.readableBytes();
    }

    private void closeAfterFlush() {
        if (closed) {
            return;
        }
        closed = true;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    void closeNow() {
        if (!closed) {
            closed = true;
            channel.close();
        }
    }

    // ---------------------------------------------------------------- called from other threads

    /** Shutdown: stop reading; close once every held reply has been sent. Runs on the loop. */
    void beginDrain() {
        if (closed) {
            return;
        }
        draining = true;
        channel.config().setAutoRead(false);
        if (tail == null && !blocked) {
            closeAfterFlush();
        }
    }

    /** SHUTDOWN accepted: this connection gets no reply; it drains and closes with the others. */
    void shutdownAccepted() {
        try {
            loop.execute(() -> {
                blocked = false;
                beginDrain();
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the loop is already stopped: the connection is closed
        }
    }

    /** Idle timeout check; runs on the loop. */
    void checkIdle(long nowMillis, int timeoutSeconds) {
        if (closed || tail != null || blocked) {
            return;
        }
        if (nowMillis - lastInteractionMillis > timeoutSeconds * 1000L) {
            log.debug("client {}: closed after {} s idle (timeout)", id, timeoutSeconds);
            closeNow();
        }
    }

    void resetStatsLater() {
        resetStats = true;
    }

    /** Runs a blocking server command's completion back on this loop: reply, then continue with input. */
    void completeBlocked(java.util.function.Consumer<RespEncoder> writeReply) {
        completeBlocked(writeReply, () -> { });
    }

    /**
     * As {@link #completeBlocked(java.util.function.Consumer)}; {@code ifDropped} runs instead of
     * {@code writeReply} when the connection closed meanwhile (to release what the reply would have handed over).
     */
    void completeBlocked(java.util.function.Consumer<RespEncoder> writeReply, Runnable ifDropped) {
        try {
            loop.execute(() -> {
                if (closed) {
                    ifDropped.run();
                    return;
                }
                blocked = false;
                beginReply();
                writeReply.accept(reply);
                endReply(0);
                processInput();
                endBatch();
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            ifDropped.run();
            log.debug("client {}: event loop already stopped; reply dropped", id);
        }
    }

    /** Replies waiting for one durability completion. */
    private static final class Chunk {
        ByteBuf buf;
        long lsn;
        int replies;
        boolean registered;
    }
}
