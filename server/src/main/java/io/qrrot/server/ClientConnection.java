package io.qrrot.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.qrrot.engine.CommandArgs;
import io.qrrot.engine.CommandSpec.Flag;
import io.qrrot.engine.Session;
import io.qrrot.recovery.Qrrot;
import io.qrrot.server.memcached.McDecoder;
import io.qrrot.server.memcached.McDetector;
import io.qrrot.server.resp.RequestDecoder;
import io.qrrot.server.resp.RespEncoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
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
 * <p><b>Memory.</b> What a client can make the connection hold is bounded before it is allocated: the
 * request being received by the query buffer limit and, beyond {@link ClientMemory#FREE_PER_CLIENT}, by the
 * server's {@link ClientMemory} budget (the decoder asks {@link #admitRequest} before each copy); commands
 * queued in MULTI by {@code client-multi-queue-limit} and the same budget (asked before queueing, with
 * Redis' rule that a refused command fails the transaction at EXEC); unsent replies by pausing reads past
 * 4 MiB. {@link #settleMemory} gives back to the budget what the connection no longer holds.
 *
 * <p><b>Failures.</b> Every entry point (the Netty callbacks and the tasks queued to the loop) catches any
 * {@link Throwable}, an {@link OutOfMemoryError} included: {@link #fail} logs it (rate-limited), releases all
 * the connection holds, answers an error if it can and closes this connection only; the loop goes on serving
 * the others. (A loop thread that dies anyway stops the process: {@link QrrotServer}.)
 *
 * <p><b>Threading.</b> Confined to its event loop, except the fields read by CLIENT LIST and INFO from other
 * threads (plain reads of counters and names: informational, may be a moment stale).
 */
final class ClientConnection extends ChannelInboundHandlerAdapter {
    static final Logger log = LoggerFactory.getLogger(ClientConnection.class);
    /**
     * Stop reading from a client whose unsent replies pass this (it is not reading them), replies waiting for
     * durability included; or, sooner, when Netty's outbound buffer passes its high-water mark (1 MiB).
     */
    private static final long PAUSE_READING_AT = 4L << 20;
    private static final long RESUME_READING_AT = 1L << 20;
    /**
     * Arguments arrays grown past this by one big command are dropped after it, so an idle connection keeps at
     * most this much (outside the budget: it is the same for every connection).
     */
    private static final int SHRINK_ARGS_ABOVE = 64 * 1024;
    private static final int DISCARD_READ_BYTES_AT = 64 * 1024;
    /** After an error that closes a connection in the middle of its request, how long its input is drained. */
    private static final long LINGER_MILLIS = 2000;
    static final String NOAUTH = "NOAUTH Authentication required.";
    static final String EXECABORT = "EXECABORT Transaction discarded because of previous errors.";
    /** Refusal of a command (queued in MULTI) past the server's budget; the transaction then fails at EXEC. */
    static final String CLIENT_MEMORY_OOM = "OOM command not allowed when client memory > 'client-memory-budget'.";
    /** Refusal of a request still being received past the server's budget; the connection then closes. */
    static final String CLIENT_MEMORY_OOM_CLOSING =
            "OOM request not accepted when client memory > 'client-memory-budget'; closing the connection";
    // Whole replies made before they are needed: answering an OutOfMemoryError must not need memory.
    private static final byte[] FAILED_OOM = ("-ERR the server ran out of memory serving this connection;"
            + " closing it (see the server log)\r\n").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FAILED_INTERNAL = ("-ERR internal error serving this connection; closing it"
            + " (see the server log)\r\n").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MC_FAILED_OOM = ("SERVER_ERROR the server ran out of memory serving this connection;"
            + " closing it (see the server log)\r\n").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MC_FAILED_INTERNAL = ("SERVER_ERROR internal error serving this connection; closing it"
            + " (see the server log)\r\n").getBytes(StandardCharsets.US_ASCII);

    final ServerContext server;
    final long id;
    /**
     * Where this connection is in telling its protocol apart: {@link #UNDECIDED} on the main port until its
     * first line ({@link McDetector}), then {@link #REDIS} or {@link #MEMCACHED} for its lifetime.
     */
    private int protocol;
    static final int UNDECIDED = 0;
    static final int REDIS = 1;
    static final int MEMCACHED = 2;
    /** The memcached side, once the connection speaks memcached. */
    private MemcachedConnection memcached;
    final long createdMillis = System.currentTimeMillis();

    Channel channel;
    private ChannelHandlerContext ctx;
    EventLoop loop;
    private LoopBatch batch;
    Qrrot.Session session;
    CommandArgs args = new CommandArgs();
    private final RequestDecoder decoder;
    private final RequestDecoder.Gate gate = this::admitRequest;
    private boolean resumeQueued;
    private final Runnable resume = () -> {
        resumeQueued = false;
        try {
            maybeResume();
        } catch (Throwable t) {
            fail(t, "resuming reads");
        }
    };
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
    /** The client half-closed: what it sent runs, then the connection drains and closes. */
    private boolean inputEnded;
    /** Close by half-closing and draining the input first, so the client reads the error before the close. */
    private boolean lingerOnClose;
    /** A server command is running on the admin thread; its reply and the next commands wait for it. */
    boolean blocked;
    // A blocking pop waiting for its keys (BlockedClients guards the state fields, the loop owns the rest).
    List<BlockedClients.Key> blockedKeys = List.of();
    int blockState;
    boolean blockExpired;
    BlockedClients.Key servedKey;
    private final CommandArgs blockedArgs = new CommandArgs();
    private java.util.concurrent.ScheduledFuture<?> blockTimer;
    private boolean txDirty;
    /** READONLY was sent: a follower serves this connection's reads. */
    boolean readOnly;
    /** Heap the commands queued in this connection's MULTI hold ({@link Session#queuedBytes}). */
    private long multiBytes;
    /** What this connection has taken from the server's {@link ClientMemory} budget. */
    private long charged;
    private boolean processing;
    private boolean registered;
    boolean closed;
    /** The snapshot file SNAPSHOT BEGIN opened for this connection, or null. */
    SnapshotCommand.Pin snapshotPin;
    /** This connection's Pub/Sub subscriptions, or null before its first SUBSCRIBE or PSUBSCRIBE. */
    volatile PubSub.Client pubsub;
    /** When the unsent output of this subscriber first passed the pubsub soft limit (0: it is under). */
    private long softLimitSinceMillis;

    // Read by other threads for CLIENT LIST / INFO (informational).
    volatile String name = "";
    volatile String libName = "";
    volatile String libVersion = "";
    volatile long lastInteractionMillis = createdMillis;
    volatile String lastCommand = "NULL";
    volatile int protocolSnapshot = 2;
    long netInput;
    long netOutput;
    /** Bytes the partial request and the MULTI queue hold, for CLIENT LIST (plain: informational). */
    long requestMemorySnapshot;
    long multiMemorySnapshot;
    /** Unsent reply bytes after the last command, for CLIENT LIST (plain: informational). */
    long unsentSnapshot;
    /** This loop's per-command counters. */
    private CommandStats stats;
    /** When the current command's time started: see {@link #lap}. */
    private long clock;
    /** A blocking pop waiting for its keys: the time of its first run, and of its runs since (see finishBlocking). */
    private CommandTable.Entry blockedPop;
    private long blockedPopNanos;
    private long blockedPopRetryNanos;
    /** A server command answered from another thread (SAVE, SHUTDOWN, SNAPSHOT), counted when it replies. */
    private CommandTable.Entry blockedCommand;
    private long blockedCommandStart;
    /** Commands queued by the open MULTI, by command-table index: counted as calls when EXEC runs them. */
    private int[] queuedIndexes = new int[8];
    private int queuedCount;

    /** A connection of the main port: Redis or memcached, told apart by its first line. */
    ClientConnection(ServerContext server) {
        this(server, UNDECIDED);
    }

    /** @param protocol {@link #UNDECIDED} (the main port) or {@link #MEMCACHED} (the memcached port) */
    ClientConnection(ServerContext server, int protocol) {
        this.server = server;
        this.id = server.nextClientId.incrementAndGet();
        this.decoder = new RequestDecoder(server.maxBulkLength);
        this.protocol = protocol;
        if (protocol == MEMCACHED) {
            memcached = new MemcachedConnection(this, gate::admit);
        }
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.channel = ctx.channel();
        this.loop = channel.eventLoop();
        try {
            this.batch = LoopBatch.of(server, loop);
            this.stats = CommandStats.of(server, loop);
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
        } catch (Throwable t) {
            fail(t, "accepting the connection");
        }
    }

    private void refuse(String error) {
        closed = true;
        ByteBuf b = ctx.alloc().buffer(error.length() + 16);
        if (protocol == MEMCACHED) {
            b.writeCharSequence("SERVER_ERROR ", StandardCharsets.US_ASCII);
        } else {
            b.writeByte('-');
        }
        b.writeCharSequence(error, StandardCharsets.UTF_8);
        b.writeByte('\r').writeByte('\n');
        ctx.writeAndFlush(b).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        if (blockTimer != null) {
            blockTimer.cancel(false);
            blockTimer = null;
        }
        server.blocking.unblock(this, false); // a retry on its way finds it closed and passes its turn on
        if (registered) {
            registered = false;
            server.connected.decrementAndGet();
            // Into the totals before out of the registry, so a reader never sees the bytes counted nowhere.
            server.closedNetInput.addAndGet(netInput);
            server.closedNetOutput.addAndGet(netOutput);
            server.clients.remove(id);
        }
        releaseAll();
    }

    /**
     * Lets go of everything the connection holds: buffers, replies waiting for durability, the snapshot it
     * pinned, its session (and with it a MULTI queue), its share of the memory budget. Idempotent; each step
     * runs even when an earlier one fails.
     */
    private void releaseAll() {
        try {
            if (in != null) {
                ByteBuf b = in;
                in = null;
                b.release();
            }
        } catch (Throwable t) {
            log.debug("client {}: releasing the input buffer: {}", id, t.toString());
        }
        try {
            if (out != null) {
                ByteBuf b = out;
                out = null;
                b.release();
            }
        } catch (Throwable t) {
            log.debug("client {}: releasing the reply buffer: {}", id, t.toString());
        }
        try {
            Chunk c;
            while ((c = held.pollFirst()) != null) {
                if (c.buf != null) {
                    c.buf.release();
                    c.buf = null;
                }
            }
        } catch (Throwable t) {
            log.debug("client {}: releasing held replies: {}", id, t.toString());
        }
        tail = null;
        heldBytes = 0;
        try {
            SnapshotCommand.release(this);
        } catch (Throwable t) {
            log.warn("client {}: closing its snapshot file failed", id, t);
        }
        try {
            server.pubsub.dropAll(this);
        } catch (Throwable t) {
            log.warn("client {}: dropping its Pub/Sub subscriptions failed", id, t);
        }
        if (session != null) {
            Qrrot.Session s = session;
            session = null;
            try {
                s.close();
            } catch (Throwable t) {
                log.warn("client {}: closing its database session failed", id, t);
            }
        }
        try {
            args = new CommandArgs(16, 2); // drop a large request's array now, not when the channel is collected
        } catch (Throwable t) {
            // out of memory even for that: the array goes with the connection
        }
        multiBytes = 0;
        if (charged > 0) {
            server.clientMemory.release(charged);
            charged = 0;
        }
        requestMemorySnapshot = 0;
        multiMemorySnapshot = 0;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof java.io.IOException) {
            log.debug("client {}: connection error: {}", id, cause.toString());
            ctx.close();
        } else {
            fail(cause, "in the network pipeline");
        }
    }

    /**
     * A {@link Throwable} escaped this connection's code: log it (rate-limited), release everything the
     * connection holds (for an {@link OutOfMemoryError}, that is what gives memory back), answer an error if a
     * reply can still be written, and close this connection. The loop and every other connection go on. Replies
     * not yet written are dropped: the client gets the error in their place, then the close.
     */
    void fail(Throwable t, String doing) {
        boolean wasOpen = !closed;
        closed = true;
        try {
            server.connectionFailures.incrementAndGet();
            if (t instanceof OutOfMemoryError) {
                Runtime rt = Runtime.getRuntime();
                server.failureLog.error("client {}: out of memory {} (heap {} of {} MiB used); closing this connection"
                        + " and releasing what it held", id, doing, (rt.totalMemory() - rt.freeMemory()) >> 20,
                        rt.maxMemory() >> 20, t);
            } else {
                server.failureLog.error("client {}: unexpected error {}; closing this connection", id, doing, t);
            }
        } catch (Throwable logging) {
            // nothing more can be said: the close below still happens
        }
        releaseAll();
        if (channel == null) {
            return;
        }
        try {
            if (wasOpen && channel.isActive()) {
                byte[] last = t instanceof OutOfMemoryError ? (protocol == MEMCACHED ? MC_FAILED_OOM : FAILED_OOM)
                        : protocol == MEMCACHED ? MC_FAILED_INTERNAL : FAILED_INTERNAL;
                writeThenClose(Unpooled.wrappedBuffer(last), true);
            } else {
                channel.close();
            }
        } catch (Throwable again) {
            try {
                channel.close();
            } catch (Throwable ignored) {
                // the channel is unusable; the loop closes it with its selector
            }
        }
    }

    // ---------------------------------------------------------------- input

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf data = (ByteBuf) msg;
        try {
            netInput += data.readableBytes();
            lastInteractionMillis = System.currentTimeMillis();
            if (closed || closeAfterReply || draining) {
                data.release();
                return;
            }
            ByteBuf d = data;
            data = null; // the cumulator owns it from here
            in = in == null ? d : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), in, d);
            processInput();
        } catch (Throwable t) {
            if (data != null && data.refCnt() > 0) {
                data.release();
            }
            fail(t, "reading a request");
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        try {
            endBatch();
        } catch (Throwable t) {
            fail(t, "sending replies");
        }
    }

    /**
     * The client closed its side (it will send nothing more): every whole request it sent still runs and is
     * answered (replies waiting for durability included), then the connection closes, as Redis answers what it
     * read before it sees the end of the input. A request left incomplete can never complete and is dropped.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        try {
            inputEnded = true;
            endIfInputEnded();
            endBatch(); // sends what is ready and, with nothing left to wait for, closes
        } catch (Throwable t) {
            fail(t, "closing after the client's end of input");
        }
    }

    /**
     * After the client's end of input: once nothing it sent can run any more, drain: the next {@link #endBatch}
     * (every caller runs one next) or durability completion sends what is left and closes. A blocking pop stops
     * waiting, unanswered, as Redis frees a client that went away; a reply from the admin thread (SAVE) is
     * awaited.
     */
    private void endIfInputEnded() {
        if (!inputEnded || closed || draining || processing || paused || (blocked && blockedPop == null)) {
            return;
        }
        stopReading();
    }

    /**
     * Netty's outbound buffer passed its high-water mark (the socket is full and 1 MiB waits behind it): stop
     * reading this client until it reads its replies; resume once the buffer is under the low-water mark and
     * the connection's unsent replies (those waiting for durability included) under 1 MiB.
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        try {
            if (channel.isWritable()) {
                // Netty may call this from inside a write or flush of this connection: resume from the task
                // queue, not in the middle of that.
                if (paused && !resumeQueued) {
                    resumeQueued = true;
                    loop.execute(resume);
                }
            } else if (!paused && !closed) {
                pause();
            }
        } catch (Throwable t) {
            fail(t, "pausing or resuming reads");
        }
    }

    private void pause() {
        paused = true;
        channel.config().setAutoRead(false);
    }

    /** Executes every complete command in the input buffer, unless paused, blocked or closing. */
    void processInput() {
        if (processing) {
            return;
        }
        if (in == null) {
            endIfInputEnded();
            return;
        }
        processing = true;
        clock = System.nanoTime();
        try {
            decoder.maxBulkLength(server.maxBulkLength);
            while (!paused && !blocked && !closeAfterReply && !draining && !closed) {
                if (protocol != REDIS) {
                    if (protocol == UNDECIDED) {
                        int p = McDetector.classify(in, McDecoder.LINE_MAX);
                        if (p == McDetector.NEED_MORE) {
                            break;
                        }
                        protocol = p == McDetector.MEMCACHED ? MEMCACHED : REDIS;
                        if (protocol == MEMCACHED) {
                            memcached = new MemcachedConnection(this, gate::admit);
                        }
                        continue;
                    }
                    if (!memcached.step(in)) {
                        break;
                    }
                    afterCommand();
                    continue;
                }
                int r = decoder.decode(in, args, authRequired(), gate);
                if (r == RequestDecoder.NEED_MORE) {
                    break;
                }
                if (r == RequestDecoder.PROTOCOL_ERROR) {
                    server.protocolErrors.incrementAndGet();
                    log.debug("client {}: protocol error, closing after the reply: {}", id, decoder.error());
                    beginReply();
                    reply.error(decoder.error());
                    stats.unknown(reply.target(), replyStart); // an error reply, as Redis counts it
                    endReply(0);
                    closeAfterReply = true;
                    break;
                }
                if (r == RequestDecoder.REFUSED) {
                    // The counter and the log line come from admitRequest, which knows which limit it was.
                    beginReply();
                    reply.error(decoder.error());
                    endReply(0);
                    closeAfterReply = true;
                    lingerOnClose = true;
                    settleMemory();
                    break;
                }
                execute();
                afterCommand();
            }
            if (in != null && !closed) {
                if (!in.isReadable()) {
                    in.release();
                    in = null;
                } else if (!closeAfterReply && in.readableBytes() + pendingBytes() > server.queryBufferLimit) {
                    // Bytes that arrived while reading was paused or blocked, not yet decoded.
                    refuseQueryBuffer(in.readableBytes() + pendingBytes());
                    in.release();
                    in = null;
                    beginReply();
                    if (memcached != null) {
                        memcached.line("SERVER_ERROR " + queryLimitError());
                    } else {
                        reply.error(queryLimitError());
                    }
                    endReply(0);
                    closeAfterReply = true;
                    lingerOnClose = true;
                } else if (in.readerIndex() > DISCARD_READ_BYTES_AT) {
                    in.discardSomeReadBytes();
                }
            }
            requestMemorySnapshot = inRequest() ? pendingBytes() : 0;
        } finally {
            processing = false;
        }
        endIfInputEnded();
    }

    /** Bytes the request being received holds outside the input buffer, whichever protocol decodes it. */
    private long pendingBytes() {
        return memcached != null ? memcached.pendingBytes() : decoder.pendingBytes();
    }

    private boolean inRequest() {
        return memcached != null ? memcached.inRequest() : decoder.inRequest();
    }

    /** A memcached request logged a write (for the loop's group commit accounting). */
    void loggedWrite() {
        batch.logged();
    }

    /** Where the reply being encoded starts in its buffer. */
    int replyStart() {
        return replyStart;
    }

    boolean authRequired() {
        return !authenticated && server.requirePass != null;
    }

    // ---------------------------------------------------------------- memory limits

    /**
     * The decoder's {@link RequestDecoder.Gate}: may the request being received hold {@code pendingAfter}
     * bytes? No past the query buffer limit, nor past the server's budget.
     */
    private String admitRequest(long pendingAfter) {
        long limit = Math.min(server.queryBufferLimit, ServerOptions.MAX_BULK_CEILING);
        if (pendingAfter > limit) {
            refuseQueryBuffer(pendingAfter);
            return queryLimitError();
        }
        if (!charge(pendingAfter + multiBytes)) {
            server.clientMemoryRefusals.incrementAndGet();
            server.limitLog.warn("client {} ({}): request refused and connection closed: the server's memory for"
                    + " client requests is used up ({} of client-memory-budget {} bytes)", id,
                    channel.remoteAddress(), server.clientMemory.used(), server.clientMemory.budget());
            return CLIENT_MEMORY_OOM_CLOSING;
        }
        return null;
    }

    private void refuseQueryBuffer(long bytes) {
        server.queryLimitDisconnections.incrementAndGet();
        server.limitLog.warn("client {} ({}): closed: an incomplete command passed the query buffer limit of {} bytes"
                + " ({} bytes; CONFIG SET client-query-buffer-limit to raise it)", id, channel.remoteAddress(),
                server.queryBufferLimit, bytes);
    }

    private String queryLimitError() {
        return "ERR max query buffer length reached: the request passed client-query-buffer-limit ("
                + server.queryBufferLimit + " bytes); closing the connection";
    }

    /**
     * Makes this connection's share of the budget cover a footprint of {@code footprint} bytes (the first
     * {@link ClientMemory#FREE_PER_CLIENT} are free).
     *
     * @return false, taking nothing, when the budget has no room for the growth
     */
    private boolean charge(long footprint) {
        long want = Math.max(0, footprint - ClientMemory.FREE_PER_CLIENT);
        if (want <= charged) {
            return true;
        }
        if (!server.clientMemory.tryReserve(want - charged)) {
            return false;
        }
        charged = want;
        return true;
    }

    /**
     * After each command: a transaction that ended (EXEC, DISCARD, RESET) takes its error flag and its queue's
     * memory with it; what the connection no longer holds goes back to the budget.
     */
    private void settleMemory() {
        if (session == null || !session.inTransaction()) {
            multiBytes = 0;
            txDirty = false;
        }
        long footprint = multiBytes + (inRequest() ? pendingBytes() : 0);
        long want = Math.max(0, footprint - ClientMemory.FREE_PER_CLIENT);
        if (want < charged) {
            server.clientMemory.release(charged - want);
            charged = want;
        }
        multiMemorySnapshot = multiBytes;
    }

    /**
     * Checks a command about to be queued in MULTI against the client's queue limit and the server's budget.
     *
     * @return null to queue it, else the error that refuses it (and fails the transaction at EXEC)
     */
    private String admitQueued(long cost) {
        if (multiBytes + cost > server.multiQueueLimit) {
            server.multiQueueLimitRefusals.incrementAndGet();
            server.limitLog.warn("client {} ({}): command not queued: its MULTI queue would pass"
                    + " client-multi-queue-limit ({} bytes)", id, channel.remoteAddress(), server.multiQueueLimit);
            return "ERR MULTI queue limit reached: the queued commands would hold more than client-multi-queue-limit ("
                    + server.multiQueueLimit + " bytes); EXEC will discard the transaction";
        }
        if (!charge(decoder.pendingBytes() + multiBytes + cost)) {
            server.clientMemoryRefusals.incrementAndGet();
            server.limitLog.warn("client {} ({}): command not queued: the server's memory for client requests is"
                    + " used up ({} of client-memory-budget {} bytes)", id, channel.remoteAddress(),
                    server.clientMemory.used(), server.clientMemory.budget());
            return CLIENT_MEMORY_OOM;
        }
        return null;
    }

    /** MULTI, EXEC, DISCARD and WATCH run at once inside a transaction; every other data command is queued. */
    private static boolean controlsTransaction(CommandArgs a) {
        return a.is(0, "EXEC") || a.is(0, "DISCARD") || a.is(0, "MULTI") || a.is(0, "WATCH");
    }

    /** A server command runs on the admin thread: stop reading until its reply is written. */
    void block() {
        blocked = true;
        channel.config().setAutoRead(false);
    }

    // ---------------------------------------------------------------- dispatch

    private void execute() {
        CommandTable.Entry e = server.commands.lookup(args);
        beginReply();
        if (e == null) {
            reply.error(Errors.unknownCommand(args));
            flagTransaction();
            stats.unknown(reply.target(), replyStart);
            lap();
            endReply(0);
            return;
        }
        lastCommand = e.lowerName();
        String refusal = refusal(e);
        if (refusal != null) {
            reply.error(refusal);
            stats.rejected(e.index(), reply.target(), replyStart);
            lap();
            endReply(0);
            return;
        }
        if (e.server() != null) {
            long started = clock;
            ServerCommands.run(e.server(), this);
            if (blocked) {
                // SAVE, SHUTDOWN, SNAPSHOT: the reply comes from another thread; counted then (completeBlocked).
                blockedCommand = e;
                blockedCommandStart = started;
                return;
            }
            long elapsed = lap();
            stats.called(e.index(), elapsed, reply.target(), replyStart);
            SlowLog.commandEnded(this, e, elapsed);
            endReply(0);
            return;
        }
        if (txDirty && args.is(0, "EXEC")) {
            session.execute(CommandArgs.of("DISCARD"), DiscardingSink.INSTANCE);
            txDirty = false;
            reply.error(EXECABORT);
            queuedCount = 0;
            stats.called(e.index(), lap(), reply.target(), replyStart); // a failed call, as Redis
            endReply(0);
            return;
        }
        long queueCost = 0;
        if (session.inTransaction() && !controlsTransaction(args)) {
            queueCost = Session.queuedBytes(args);
            String refused = admitQueued(queueCost);
            if (refused != null) {
                reply.error(refused);
                txDirty = true;
                stats.rejected(e.index(), reply.target(), replyStart);
                lap();
                endReply(0);
                return;
            }
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
        long elapsed = lap();
        countCall(e, queueCost, elapsed);
        long wait = session.takeBlock();
        if (wait >= 0) {
            // A blocking pop that waits is a call now, as in Redis; the time of its later runs, an error it is
            // answered with, and the slow log wait for its answer (finishBlocking).
            blockedPop = e;
            blockedPopNanos = elapsed;
            blockedPopRetryNanos = 0;
            startBlocking(wait);
            return;
        }
        SlowLog.commandEnded(this, e, elapsed);
        if (!session.inTransaction()) {
            txDirty = false;
        } else if (queueCost > 0 && reply.target().getByte(replyStart) == '+') {
            multiBytes += queueCost; // +QUEUED (the engine may still refuse: arity, no-multi, OOM)
        }
        if (lsn > 0) {
            batch.logged();
        }
        endReply(lsn);
    }

    /**
     * Why the server refuses command {@code e} before it runs (arity, authentication, subscribed mode, MULTI),
     * as the error text; null when it may run.
     */
    private String refusal(CommandTable.Entry e) {
        if (!e.spec().arityAccepts(args.count())) {
            flagTransaction();
            return Errors.wrongArity(e.lowerName());
        }
        if (authRequired() && !e.spec().is(Flag.NO_AUTH)) {
            return NOAUTH;
        }
        if (reply.protocol() == 2 && PubSub.subscribed(this) && !allowedWhileSubscribed(e.server())) {
            return "ERR Can't execute '" + e.lowerName() + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING"
                    + " / QUIT / RESET are allowed in this context";
        }
        if (e.server() != null && session.inTransaction() && !e.server().immediateInMulti) {
            txDirty = true;
            return "ERR Command not allowed inside a transaction";
        }
        if (e.server() == null && server.cluster != null) {
            String elsewhere = server.cluster.route(e.spec(), args, readOnly);
            if (elsewhere != null) {
                flagTransaction();
                return elsewhere;
            }
        }
        return null;
    }

    /**
     * The time since the previous lap of this {@link #processInput} pass (or its start), and a new lap: one clock
     * read per command, where a start and an end read would cost two (a clock read is about 50 ns on a virtual
     * machine). So a command's time includes the decoding of its request, as it would in a pipeline anyway.
     */
    private long lap() {
        long now = System.nanoTime();
        long elapsed = now - clock;
        clock = now;
        return elapsed;
    }

    /**
     * Counts command {@code e} that the database just ran, as Redis counts it: a command queued by MULTI is
     * counted when EXEC runs it (with EXEC's time), an error reply is a failed call, and so is an error in
     * EXEC's array of replies for the command it answers.
     */
    private void countCall(CommandTable.Entry e, long queueCost, long elapsed) {
        ByteBuf out = reply.target();
        boolean queued = queueCost > 0 && out.writerIndex() > replyStart && out.getByte(replyStart) == '+';
        if (queued) {
            if (queuedCount == queuedIndexes.length) {
                queuedIndexes = java.util.Arrays.copyOf(queuedIndexes, queuedCount * 2);
            }
            queuedIndexes[queuedCount++] = e.index();
            return;
        }
        int i = e.index();
        CommandTable t = server.commands;
        if (i == t.exec || i == t.discard || i == t.multi && out.writerIndex() > replyStart
                && out.getByte(replyStart) == '+') {
            boolean ran = i == t.exec && out.writerIndex() > replyStart + 1 && out.getByte(replyStart) == '*'
                    && out.getByte(replyStart + 1) != '-';
            int element = ran ? out.indexOf(replyStart, out.writerIndex(), (byte) '\n') + 1 : 0;
            for (int q = 0; ran && q < queuedCount; q++) {
                stats.calledInExec(queuedIndexes[q], out, element);
                element = element < out.writerIndex() ? CommandStats.skipElement(out, element) : element;
            }
            queuedCount = 0;
        }
        stats.called(i, elapsed, out, replyStart);
    }

    // ---------------------------------------------------------------- blocking pops

    /**
     * The command just run (a blocking pop: BLPOP, BZPOPMIN, ...) found its keys empty and replied nothing: wait for them
     * for {@code millis} (0: for ever), processing no more input. Reading goes on, so a closed connection is
     * noticed and what the client sends meanwhile waits in the input buffer, within the query buffer limit.
     */
    private void startBlocking(long millis) {
        blockedArgs.clear();
        for (int i = 0, n = args.count(); i < n; i++) {
            blockedArgs.add(args.array(), args.offset(i), args.length(i));
        }
        List<byte[]> keys = new ArrayList<>();
        int first;
        int last;
        if (args.is(0, "BZMPOP") || args.is(0, "BLMPOP")) {
            int numkeys = Integer.parseInt(args.string(2)); // the engine checked it
            first = 3;
            last = 2 + numkeys;
        } else if (args.is(0, "BLMOVE") || args.is(0, "BRPOPLPUSH")) {
            first = 1; // only the source is waited on
            last = 1;
        } else {
            first = 1;
            last = args.count() - 2;
        }
        for (int i = first; i <= last; i++) {
            keys.add(args.bytes(i));
        }
        blocked = true;
        if (millis > 0) {
            blockTimer = loop.schedule(this::blockTimedOut, millis, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        server.blocking.block(this, keys);
    }

    /** One of the keys got members: run the blocked command again (on this loop). */
    void retryBlocked() {
        try {
            if (closed) {
                server.blocking.abandon(this);
                return;
            }
            beginReply();
            long lsn;
            long started = System.nanoTime();
            try {
                lsn = session.execute(blockedArgs, reply);
            } catch (RuntimeException ex) {
                log.error("client {}: the database failed executing '{}'", id, blockedArgs.string(0), ex);
                reply.target().writerIndex(replyStart);
                reply.error("ERR internal error executing '" + blockedArgs.string(0).toLowerCase(Locale.ROOT)
                        + "'; see the server log");
                lsn = 0;
            }
            blockedPopRetryNanos += System.nanoTime() - started;
            if (session.takeBlock() >= 0) {
                if (server.blocking.stillBlocked(this)) {
                    return; // another client was faster: wait on
                }
                reply.nilArray(); // the timeout passed while this retry was on its way
                finishBlocking(0);
                return;
            }
            server.blocking.served(this);
            if (lsn > 0) {
                batch.logged();
            }
            finishBlocking(lsn);
        } catch (Throwable t) {
            fail(t, "serving a blocked command");
        }
    }

    private void blockTimedOut() {
        try {
            blockTimer = null;
            if (!closed && server.blocking.unblock(this, true)) {
                beginReply();
                reply.nilArray();
                finishBlocking(0);
            }
        } catch (Throwable t) {
            fail(t, "timing out a blocked command");
        }
    }

    /**
     * CLIENT UNBLOCK of this client, from any loop: false when it is not waiting; else it is answered on its own
     * loop, a null array as for a timeout or, with {@code error}, Redis's UNBLOCKED error.
     */
    boolean unblockByClient(boolean error) {
        if (!server.blocking.unblock(this, false)) {
            return false;
        }
        try {
            loop.execute(() -> {
                try {
                    if (closed) {
                        return;
                    }
                    beginReply();
                    if (error) {
                        reply.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
                    } else {
                        reply.nilArray();
                    }
                    finishBlocking(0);
                } catch (Throwable t) {
                    fail(t, "unblocking a blocked command");
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            log.debug("client {}: event loop already stopped; unblocking dropped", id);
        }
        return true;
    }

    /** The blocked command answered: files the reply and goes on with the input that waited. */
    private void finishBlocking(long lsn) {
        if (blockTimer != null) {
            blockTimer.cancel(false);
            blockTimer = null;
        }
        blocked = false;
        CommandTable.Entry e = blockedPop;
        if (e != null) {
            blockedPop = null;
            stats.answeredAfterBlocking(e.index(), blockedPopRetryNanos, reply.target(), replyStart);
            SlowLog.commandEnded(this, e, blockedPopNanos + blockedPopRetryNanos);
        }
        endReply(lsn);
        processInput();
        endBatch();
    }

    /** The commands Redis accepts from a RESP2 connection with subscriptions. */
    private static boolean allowedWhileSubscribed(ServerCommand c) {
        if (c == null) {
            return false;
        }
        return switch (c) {
            case SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PING, QUIT, RESET -> true;
            default -> false;
        };
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
        settleMemory();
        if (closed) {
            return;
        }
        long unsent = unsentBytes();
        unsentSnapshot = unsent;
        if (PubSub.subscribed(this)) {
            if (overPubsubLimit(unsent)) {
                return;
            }
        } else if (server.outputBufferLimit > 0 && unsent > server.outputBufferLimit) {
            long limit = server.outputBufferLimit;
            server.outputLimitDisconnections.incrementAndGet();
            server.limitLog.warn("client {} ({}): closed: {} bytes of replies unread, over the output buffer limit of"
                    + " {} bytes", id, channel.remoteAddress(), unsent, limit);
            closeNow();
            return;
        }
        if (!paused && (unsent > PAUSE_READING_AT || !channel.isWritable())) {
            pause();
        }
    }

    // ---------------------------------------------------------------- Pub/Sub delivery

    /**
     * Hands a published message to this subscriber: at once when the publisher runs on this connection's loop,
     * else queued to it. Never waits; called from any thread.
     */
    void deliverFrom(PubSub.Message m) {
        if (closed) {
            return;
        }
        if (loop.inEventLoop()) {
            deliver(m);
            return;
        }
        try {
            loop.execute(() -> deliver(m));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the loop has stopped: the connection is closed
        }
    }

    /**
     * Writes a message after every reply already made (behind replies still waiting for durability, in their
     * chunk), then closes the connection if its unsent output passed the pubsub limit. Runs on the loop.
     */
    private void deliver(PubSub.Message m) {
        if (closed || !m.wantedBy(pubsub)) {
            return;
        }
        try {
            byte[] b = m.bytes(reply.protocol());
            if (processing) {
                // This connection published to itself: the message goes before the PUBLISH reply, as in Redis.
                reply.target().writeBytes(b);
            } else if (tail != null) {
                tail.buf.writeBytes(b);
                heldBytes += b.length;
            } else {
                ByteBuf o = out != null ? out : ctx.alloc().directBuffer(b.length);
                out = null;
                o.writeBytes(b);
                netOutput += o.readableBytes();
                ctx.writeAndFlush(o, ctx.voidPromise());
            }
            if (!processing) {
                long unsent = unsentBytes();
                unsentSnapshot = unsent;
                if (!overPubsubLimit(unsent) && !paused && !channel.isWritable()) {
                    pause();
                }
            }
        } catch (Throwable t) {
            fail(t, "delivering a Pub/Sub message");
        }
    }

    /**
     * Redis' {@code client-output-buffer-limit pubsub}: closes this subscriber when its unsent output passes the
     * hard limit, or has stayed over the soft limit longer than the soft seconds.
     *
     * @return true when the connection was closed
     */
    private boolean overPubsubLimit(long unsent) {
        long hard = server.pubsubHardLimit;
        long soft = server.pubsubSoftLimit;
        String which = null;
        if (hard > 0 && unsent > hard) {
            which = "hard limit of " + hard + " bytes";
        } else if (soft > 0 && unsent > soft) {
            long now = System.currentTimeMillis();
            if (softLimitSinceMillis == 0) {
                softLimitSinceMillis = now;
            } else if (now - softLimitSinceMillis > server.pubsubSoftSeconds * 1000L) {
                which = "soft limit of " + soft + " bytes for more than " + server.pubsubSoftSeconds + " s";
            }
        } else {
            softLimitSinceMillis = 0;
        }
        if (which == null) {
            return false;
        }
        server.outputLimitDisconnections.incrementAndGet();
        server.limitLog.warn("client {} ({}): closed: {} bytes of Pub/Sub output unread, over the pubsub output"
                + " buffer {}", id, channel.remoteAddress(), unsent, which);
        closeNow();
        return true;
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
        int replies = len > 0 ? 1 : 0; // a memcached noreply request sends nothing, not even an error
        if (lsn > 0) {
            if (tail == null) {
                Chunk c = newChunk(lsn);
                c.buf.writeBytes(t, replyStart, len);
                t.writerIndex(replyStart);
                c.replies = replies;
            } else if (tail.registered && lsn > tail.lsn) {
                // The newest chunk already waits for an older LSN: this reply needs a later one.
                Chunk from = tail;
                Chunk c = newChunk(lsn);
                c.buf.writeBytes(from.buf, replyStart, len);
                from.buf.writerIndex(replyStart);
                c.replies = replies;
            } else {
                tail.lsn = Math.max(tail.lsn, lsn);
                tail.replies += replies;
            }
            heldBytes += len;
        } else if (tail != null) {
            tail.replies += replies;
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
            // Hand the buffer over before the write: a flush can call back into this connection (a writability
            // change), and nothing may encode into a buffer Netty owns (or has already released).
            ByteBuf o = out;
            out = null;
            netOutput += o.readableBytes();
            ctx.writeAndFlush(o, ctx.voidPromise());
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
        } else if (paused && !resumeQueued && unsentBytes() <= RESUME_READING_AT) {
            // The socket took everything at once: no writability change and no durability completion will come
            // to resume this connection, so resume it from the loop's task queue (not by recursing from here).
            resumeQueued = true;
            loop.execute(resume);
        }
    }

    /** Called on this connection's loop when {@code lsn} is durable, or failed ({@code failure} != null). */
    void durabilityReached(long lsn, String failure) {
        try {
            sendDurable(lsn, failure);
        } catch (Throwable t) {
            fail(t, "sending replies that became durable");
        }
    }

    private void sendDurable(long lsn, String failure) {
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
            ByteBuf b = c.buf;
            c.buf = null;
            heldBytes -= b.readableBytes();
            if (failure == null) {
                netOutput += b.readableBytes();
                ctx.write(b, ctx.voidPromise());
            } else {
                server.durabilityFailures.incrementAndGet();
                b.release();
                ByteBuf err = ctx.alloc().directBuffer(64 * c.replies);
                reply.target(err);
                for (int i = 0; i < c.replies; i++) {
                    if (memcached != null) {
                        memcached.line("SERVER_ERROR " + failure);
                    } else {
                        reply.error(failure);
                    }
                }
                netOutput += err.readableBytes();
                ctx.write(err, ctx.voidPromise());
            }
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
        if (!blocked && !draining && !inputEnded) {
            channel.config().setAutoRead(true);
        }
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
        if (lingerOnClose && in != null) {
            in.release();
            in = null;
        }
        writeThenClose(Unpooled.EMPTY_BUFFER, lingerOnClose);
    }

    /**
     * Writes {@code last} (after everything written before it) and closes. With {@code linger}, for a client
     * that may still be sending (a request refused half-way, a failure in the middle of a pipeline): closing with
     * its bytes unread would reset the connection, and a reset can destroy the error reply before the client
     * reads it. So the connection half-closes after the reply, drains (and drops) what still arrives, and closes
     * when the client does or after {@link #LINGER_MILLIS}.
     */
    private void writeThenClose(ByteBuf last, boolean linger) {
        if (!linger || inputEnded || !(channel instanceof DuplexChannel duplex)) { // nothing more will arrive
            channel.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        channel.config().setAutoRead(true);
        channel.writeAndFlush(last).addListener(f -> {
            if (!f.isSuccess()) {
                channel.close();
                return;
            }
            duplex.shutdownOutput();
            loop.schedule(() -> {
                channel.close();
            }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
        });
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
        try {
            if (closed) {
                return;
            }
            stopReading();
            if (tail == null && !blocked) {
                closeAfterFlush();
            }
        } catch (Throwable t) {
            fail(t, "closing for shutdown");
        }
    }

    /** Reads and runs nothing more; the connection closes once its waiting replies are sent. */
    private void stopReading() {
        draining = true;
        channel.config().setAutoRead(false);
        if (blocked && server.blocking.unblock(this, false)) {
            // A blocking pop waits no longer: the connection closes unanswered, as Redis closes a client's.
            blocked = false;
            if (blockTimer != null) {
                blockTimer.cancel(false);
                blockTimer = null;
            }
        }
    }

    /** SHUTDOWN accepted: this connection gets no reply; it drains and closes with the others. */
    void shutdownAccepted() {
        try {
            loop.execute(() -> {
                blocked = false;
                beginDrain();
            }); // beginDrain contains its own failures
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the loop is already stopped: the connection is closed
        }
    }

    /** Idle timeout check; runs on the loop. */
    void checkIdle(long nowMillis, int timeoutSeconds) {
        try {
            if (closed || tail != null || blocked || PubSub.subscribed(this)) {
                return; // a subscriber waits for messages: never idle (as Redis exempts Pub/Sub clients)
            }
            if (nowMillis - lastInteractionMillis > timeoutSeconds * 1000L) {
                log.debug("client {}: closed after {} s idle (timeout)", id, timeoutSeconds);
                closeNow();
            }
        } catch (Throwable t) {
            fail(t, "checking the idle timeout");
        }
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
                try {
                    if (closed) {
                        ifDropped.run();
                        return;
                    }
                    blocked = false;
                    if (!paused && !draining && !inputEnded) { // after the end of input there is nothing to read
                        channel.config().setAutoRead(true);
                    }
                    beginReply();
                    writeReply.accept(reply);
                    CommandTable.Entry e = blockedCommand;
                    if (e != null) {
                        blockedCommand = null;
                        long elapsed = System.nanoTime() - blockedCommandStart;
                        stats.called(e.index(), elapsed, reply.target(), replyStart);
                        SlowLog.commandEnded(this, e, elapsed);
                    }
                    endReply(0);
                    processInput();
                    endBatch();
                } catch (Throwable t) {
                    fail(t, "answering a server command");
                }
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
