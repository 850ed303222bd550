package io.qrrot.server;

import io.netty.buffer.ByteBuf;
import io.qrrot.engine.CommandArgs;
import io.qrrot.engine.Memcached;
import io.qrrot.server.memcached.McCommand;
import io.qrrot.server.memcached.McDecoder;
import io.qrrot.server.memcached.McReplies;
import io.qrrot.server.memcached.McRequest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.agrona.DirectBuffer;

/**
 * The memcached side of a {@link ClientConnection}: once a connection is known to speak the memcached text
 * protocol (its port, or its first line on the main port), its input goes through here for its lifetime.
 * Requests are decoded by {@link McDecoder}; storage and retrieval run in the engine ({@link Memcached}); the
 * rest (flush_all, stats, version, verbosity, quit, mn) are answered here. Replies go through the connection's
 * reply path, so a change's reply waits for its log record to be durable, as a Redis write's does, and replies
 * keep the order of the requests.
 *
 * <p><b>Authentication.</b> With {@code requirepass} set, a client authenticates as memcached 1.6's text
 * protocol has it ({@code -Y}): its first request is {@code set <any key> <flags> <exptime> <bytes>} whose data is
 * {@code <user> <password>}; any user name is accepted with the password. Until then every request is answered
 * {@code CLIENT_ERROR unauthenticated}.
 *
 * <p>Confined to the connection's event loop.
 */
final class MemcachedConnection implements Memcached.Sink {
    /** memcached's answer to the version command: the protocol version this server speaks. */
    static final String PROTOCOL_VERSION = "1.6.18";
    private static final byte[] VALUE = "VALUE ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CRLF = {'\r', '\n'};

    private final ClientConnection conn;
    private final McDecoder decoder;
    private final McRequest request = new McRequest();
    private final Memcached.Request engineRequest = new Memcached.Request();
    private final McDecoder.Gate gate;
    private boolean withCas;
    private boolean authenticated;

    MemcachedConnection(ClientConnection conn, McDecoder.Gate gate) {
        this.conn = conn;
        this.gate = gate;
        ServerContext server = conn.server;
        // Items as large as memcached's -I: its bytes less what memcached's own item header and key take.
        this.decoder = new McDecoder(server.options.memcachedItemSize(), (int) Math.min(Integer.MAX_VALUE,
                Math.min(server.queryBufferLimit, ServerOptions.MAX_BULK_CEILING)));
        this.authenticated = server.requirePass == null;
    }

    long pendingBytes() {
        return decoder.pendingBytes();
    }

    boolean inRequest() {
        return decoder.inRequest();
    }

    /**
     * Decodes and answers one request from {@code in}.
     *
     * @return false when the input holds no whole request (or the connection is to close)
     */
    boolean step(ByteBuf in) {
        int r = decoder.decode(in, request, gate);
        switch (r) {
            case McDecoder.NEED_MORE -> {
                return false;
            }
            case McDecoder.CLOSE -> {
                // memcached closes a connection that sends an over-long line, without a reply.
                conn.closeAfterReply = true;
                return false;
            }
            case McDecoder.REFUSED -> {
                conn.beginReply();
                line("SERVER_ERROR " + decoder.error());
                conn.endReply(0);
                conn.closeAfterReply = true;
                return false;
            }
            case McDecoder.ERROR -> {
                conn.server.protocolErrors.incrementAndGet();
                conn.beginReply();
                long lsn = 0;
                if (request.command() == McCommand.SET && authenticated
                        && McReplies.TOO_LARGE.equals(decoder.error())) {
                    lsn = unlinkRefused();
                }
                if (!request.noreply()) {
                    line(decoder.error());
                }
                if (lsn > 0) {
                    conn.loggedWrite();
                }
                conn.endReply(lsn);
                return true;
            }
            default -> {
                run();
                return true;
            }
        }
    }

    private void run() {
        McCommand c = request.command();
        conn.lastCommand = c.name().toLowerCase(java.util.Locale.ROOT);
        conn.beginReply();
        ByteBuf out = conn.reply.target();
        int start = out.writerIndex();
        long lsn = 0;
        if (!authenticated) {
            authenticate(c);
        } else {
            lsn = execute(c);
        }
        if (request.noreply()) {
            conn.reply.target().writerIndex(start); // memcached sends nothing back, errors included
        }
        if (lsn > 0) {
            conn.loggedWrite();
        }
        conn.endReply(lsn);
    }

    private long execute(McCommand c) {
        ServerContext server = conn.server;
        MemcachedStats stats = server.memcachedStats;
        switch (c) {
            case GET, GETS, GAT, GATS -> {
                withCas = c == McCommand.GETS || c == McCommand.GATS;
                Memcached.Op op = c == McCommand.GET ? Memcached.Op.GET : c == McCommand.GETS ? Memcached.Op.GETS
                        : c == McCommand.GAT ? Memcached.Op.GAT : Memcached.Op.GATS;
                stats.retrieval(op, request.keyCount());
                return engine(op, request.keyCount());
            }
            case SET, ADD, REPLACE, APPEND, PREPEND, CAS, DELETE, INCR, DECR, TOUCH -> {
                Memcached.Op op = Memcached.Op.valueOf(c.name());
                return engine(op, 1);
            }
            case FLUSH_ALL -> {
                stats.flushes.increment();
                return flushAll();
            }
            case STATS -> {
                MemcachedStatsReport.write(this, conn, request);
                return 0;
            }
            case VERSION -> {
                line("VERSION " + PROTOCOL_VERSION);
                return 0;
            }
            case VERBOSITY -> {
                conn.reply.target().writeBytes(McReplies.OK);
                return 0;
            }
            case QUIT -> {
                conn.closeAfterReply = true;
                return 0;
            }
            case MN -> {
                conn.reply.target().writeBytes(McReplies.MN);
                return 0;
            }
            default -> {
                // mg, ms, md, ma: framed by the decoder (ms's data block is consumed) but not served.
                line("CLIENT_ERROR meta commands are not supported by this server; use get, set, delete, incr");
                return 0;
            }
        }
    }

    private long engine(Memcached.Op op, int keys) {
        engineRequest.set(op, request.args(), keys, request.flags(), request.exptime(),
                op == Memcached.Op.CAS ? request.cas() : request.delta())
                .itemLimit(conn.server.options.memcachedItemSize());
        currentOp = op;
        try {
            return conn.session.executeMemcached(engineRequest, this);
        } catch (RuntimeException e) {
            ClientConnection.log.error("client {}: the database failed executing memcached '{}'", conn.id,
                    op.name().toLowerCase(java.util.Locale.ROOT), e);
            error("SERVER_ERROR internal error; see the server log");
            return 0;
        }
    }

    private Memcached.Op currentOp;

    /**
     * A set refused as too large removes what the key held, as memcached does (no stale value outlives a set
     * that failed); the delete's own reply is dropped.
     */
    private long unlinkRefused() {
        ByteBuf out = conn.reply.target();
        int start = out.writerIndex();
        uncounted = true; // memcached counts no delete for it
        try {
            return engine(Memcached.Op.DELETE, 1);
        } finally {
            uncounted = false;
            out.writerIndex(start);
        }
    }

    /** True while a delete runs on the server's own account: its outcome is left out of the statistics. */
    private boolean uncounted;

    /**
     * flush_all: empties the database as FLUSHALL does (the keyspace is shared with Redis clients). With a
     * delay, memcached's rule: what exists when the delay ends is gone then; a later flush_all replaces a
     * pending one. A pending flush is not logged: a restart before its time forgets it.
     */
    private long flushAll() {
        ServerContext server = conn.server;
        java.util.concurrent.ScheduledFuture<?> pending = server.pendingFlush;
        if (pending != null) {
            pending.cancel(false);
            server.pendingFlush = null;
        }
        long delayMillis = 0;
        if (request.hasDelay() && request.exptime() > 0) {
            long now = System.currentTimeMillis();
            long at = request.exptime() > Memcached.MAX_RELATIVE_EXPTIME ? request.exptime() * 1000L
                    : now + request.exptime() * 1000L;
            delayMillis = Math.max(0, at - now);
        }
        if (delayMillis > 0) {
            server.pendingFlush = conn.loop.schedule(() -> flushNow(server), delayMillis, TimeUnit.MILLISECONDS);
            conn.reply.target().writeBytes(McReplies.OK);
            return 0;
        }
        long lsn = conn.session.execute(CommandArgs.of("FLUSHALL"), DiscardingSink.INSTANCE);
        conn.reply.target().writeBytes(McReplies.OK);
        return lsn;
    }

    private static void flushNow(ServerContext server) {
        try (io.qrrot.recovery.Qrrot.Session s = server.db.newSession()) {
            s.execute(CommandArgs.of("FLUSHALL"), DiscardingSink.INSTANCE);
        } catch (RuntimeException e) {
            ClientConnection.log.error("a delayed memcached flush_all failed", e);
        }
    }

    /** memcached 1.6's text authentication (see the class comment). */
    private void authenticate(McCommand c) {
        if (c != McCommand.SET) {
            line("CLIENT_ERROR unauthenticated");
            return;
        }
        String token = new String(request.array(), request.valueOffset(), request.valueLength(),
                StandardCharsets.UTF_8);
        String[] parts = token.trim().split(" +");
        if (parts.length < 2) {
            line("CLIENT_ERROR bad authentication token format");
            return;
        }
        String required = conn.server.requirePass;
        if (required == null || java.security.MessageDigest.isEqual(parts[1].getBytes(StandardCharsets.UTF_8),
                required.getBytes(StandardCharsets.UTF_8))) {
            authenticated = true;
            conn.authenticated = true;
            conn.reply.target().writeBytes(McReplies.STORED);
        } else {
            conn.server.memcachedStats.authErrors.increment();
            line("CLIENT_ERROR authentication failure");
        }
        conn.server.memcachedStats.authCommands.increment();
    }

    // ---------------------------------------------------------------- Memcached.Sink

    @Override
    public void value(DirectBuffer key, int koff, int klen, int flags, DirectBuffer data, int off, int len, long cas) {
        conn.server.memcachedStats.hit(currentOp);
        ByteBuf out = conn.reply.target();
        out.writeBytes(VALUE);
        conn.reply.raw(key, koff, klen);
        out.writeByte(' ');
        io.qrrot.server.resp.Numbers.writeLong(out, Integer.toUnsignedLong(flags));
        out.writeByte(' ');
        io.qrrot.server.resp.Numbers.writeLong(out, len);
        if (withCas) {
            out.writeByte(' ');
            writeUnsigned(out, cas);
        }
        out.writeBytes(CRLF);
        conn.reply.raw(data, off, len);
        out.writeBytes(CRLF);
    }

    @Override
    public void status(Memcached.Status status) {
        if (!uncounted) {
            conn.server.memcachedStats.outcome(currentOp, status);
        }
        conn.reply.target().writeBytes(switch (status) {
            case STORED -> McReplies.STORED;
            case NOT_STORED -> McReplies.NOT_STORED;
            case EXISTS -> McReplies.EXISTS;
            case NOT_FOUND -> McReplies.NOT_FOUND;
            case DELETED -> McReplies.DELETED;
            case TOUCHED -> McReplies.TOUCHED;
            case END -> McReplies.END;
        });
    }

    @Override
    public void number(long value) {
        conn.server.memcachedStats.outcome(currentOp, Memcached.Status.STORED);
        ByteBuf out = conn.reply.target();
        writeUnsigned(out, value);
        out.writeBytes(CRLF);
    }

    @Override
    public void error(String line) {
        ByteBuf out = conn.reply.target();
        out.writerIndex(conn.replyStart());
        line(line);
    }

    /** Writes one reply line and its {@code \r\n}. */
    void line(String text) {
        ByteBuf out = conn.reply.target();
        out.writeCharSequence(text, StandardCharsets.ISO_8859_1);
        out.writeBytes(CRLF);
    }

    static void writeUnsigned(ByteBuf out, long v) {
        if (v >= 0) {
            io.qrrot.server.resp.Numbers.writeLong(out, v);
        } else {
            io.qrrot.server.resp.Numbers.writeLong(out, Long.divideUnsigned(v, 10));
            out.writeByte('0' + (int) Long.remainderUnsigned(v, 10));
        }
    }
}
