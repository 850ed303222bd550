package io.qrrot.server;

import io.netty.buffer.ByteBuf;
import io.qrrot.engine.CommandArgs;
import io.qrrot.engine.Memcached;
import io.qrrot.server.memcached.McCommand;
import io.qrrot.server.memcached.McDecoder;
import io.qrrot.server.memcached.McMetaFlags;
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
                if ((request.command() == McCommand.SET || request.command() == McCommand.MS) && authenticated
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
        conn.lastCommand = c.lowerName();
        conn.server.memcachedStats.requests.increment();
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
            case SET -> {
                return engine(Memcached.Op.SET, 1);
            }
            case ADD -> {
                return engine(Memcached.Op.ADD, 1);
            }
            case REPLACE -> {
                return engine(Memcached.Op.REPLACE, 1);
            }
            case APPEND -> {
                return engine(Memcached.Op.APPEND, 1);
            }
            case PREPEND -> {
                return engine(Memcached.Op.PREPEND, 1);
            }
            case CAS -> {
                return engine(Memcached.Op.CAS, 1);
            }
            case DELETE -> {
                return engine(Memcached.Op.DELETE, 1);
            }
            case INCR -> {
                return engine(Memcached.Op.INCR, 1);
            }
            case DECR -> {
                return engine(Memcached.Op.DECR, 1);
            }
            case TOUCH -> {
                return engine(Memcached.Op.TOUCH, 1);
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
                return meta(c);
            }
        }
    }

    private long engine(Memcached.Op op, int keys) {
        engineRequest.set(op, request.args(), keys, request.flags(), request.exptime(),
                op == Memcached.Op.CAS ? request.cas() : request.delta());
        return run(op);
    }

    private long run(Memcached.Op op) {
        engineRequest.itemLimit(conn.server.options.memcachedItemSize());
        currentOp = op;
        if (conn.server.cluster != null) {
            String elsewhere = conn.server.cluster.routeMemcached();
            if (elsewhere != null) {
                error(elsewhere);
                return 0;
            }
        }
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
    /** The meta command running, or null for the classic commands. */
    private McCommand meta;
    private final McMetaFlags metaFlags = new McMetaFlags();
    private boolean metaHit;
    private long changedCas;
    private long expiryBefore;
    private long expiryAfter;

    // ---------------------------------------------------------------- meta commands

    /**
     * mg, ms, md, ma: their flags read as memcached reads them ({@link McMetaFlags}), the request run as the
     * classic command it amounts to, the reply in the meta form (HD, VA, EN, NS, EX, NF and the flags asked back,
     * in the order asked).
     */
    private long meta(McCommand c) {
        if (!metaFlags.parse(request, c)) {
            boolean ownText = metaFlags.error.equals(McMetaFlags.UNSUPPORTED);
            line((c == McCommand.MD || c == McCommand.MA) && !ownText ? "CLIENT_ERROR invalid or duplicate flag"
                    : metaFlags.error);
            return 0;
        }
        for (int i = 0; i < request.metaFlagCount(); i++) {
            if (McMetaFlags.flag(request, i) == 'O' && request.metaFlagLength(i) > McMetaFlags.MAX_OPAQUE) {
                line("CLIENT_ERROR opaque token too long");
                return 0;
            }
        }
        meta = c;
        metaHit = false;
        changedCas = 0;
        try {
            switch (c) {
                case MG -> {
                    Memcached.Op op = metaFlags.newTtl ? Memcached.Op.GAT : Memcached.Op.GET;
                    engineRequest.set(op, request.args(), 1, 0, metaFlags.exptime, 0);
                    conn.server.memcachedStats.retrieval(op, 1);
                    return run(op);
                }
                case MS -> {
                    Memcached.Op op;
                    switch (metaFlags.mode) {
                        case 0, 'S' -> op = Memcached.Op.SET;
                        case 'E' -> op = Memcached.Op.ADD;
                        case 'A' -> op = Memcached.Op.APPEND;
                        case 'P' -> op = Memcached.Op.PREPEND;
                        case 'R' -> op = Memcached.Op.REPLACE;
                        default -> {
                            line("CLIENT_ERROR invalid mode for ms M token");
                            return 0;
                        }
                    }
                    if (Memcached.itemBytes(request.keyLength(0), metaFlags.clientFlags, request.valueLength())
                            > conn.server.options.memcachedItemSize()) {
                        // The decoder counted no flags (it does not read ms's); memcached counts them.
                        long lsn = unlinkRefused();
                        line(McReplies.TOO_LARGE);
                        return lsn;
                    }
                    // As memcached: a CAS upgrades set and replace to cas; append and prepend compare it.
                    boolean upgrade = metaFlags.hasCas && (op == Memcached.Op.SET || op == Memcached.Op.REPLACE);
                    engineRequest.set(upgrade ? Memcached.Op.CAS : op, request.args(), 1, metaFlags.clientFlags,
                            metaFlags.exptime, upgrade ? metaFlags.cas : 0)
                            .valueArg(1 + request.metaFlagCount());
                    if (metaFlags.hasCas && (op == Memcached.Op.APPEND || op == Memcached.Op.PREPEND)) {
                        engineRequest.compareCas(metaFlags.cas);
                    }
                    return run(engineRequest.op());
                }
                case MD -> {
                    engineRequest.set(Memcached.Op.DELETE, request.args(), 1, 0, 0, 0);
                    if (metaFlags.hasCas) {
                        engineRequest.compareCas(metaFlags.cas);
                    }
                    return run(Memcached.Op.DELETE);
                }
                default -> { // MA
                    Memcached.Op op;
                    switch (metaFlags.mode) {
                        case 0, 'I', '+' -> op = Memcached.Op.INCR;
                        case 'D', '-' -> op = Memcached.Op.DECR;
                        default -> {
                            line("CLIENT_ERROR invalid mode for ma M token");
                            return 0;
                        }
                    }
                    engineRequest.set(op, request.args(), 1, 0, 0, metaFlags.delta);
                    if (metaFlags.hasCas) {
                        engineRequest.compareCas(metaFlags.cas);
                    }
                    if (metaFlags.newTtl) {
                        engineRequest.touch(metaFlags.exptime);
                    }
                    if (metaFlags.vivify) {
                        engineRequest.vivify(metaFlags.vivifyExptime, metaFlags.initial);
                    }
                    return run(op);
                }
            }
        } finally {
            meta = null;
        }
    }

    /** mg's hit: VA or HD with the flags asked back, then the bytes when v was asked. */
    private void metaValue(DirectBuffer key, int koff, int klen, int flags, DirectBuffer data, int off, int len,
                           long cas, long expiry) {
        metaHit = true;
        ByteBuf out = conn.reply.target();
        if (metaFlags.value) {
            out.writeCharSequence("VA ", StandardCharsets.US_ASCII);
            io.qrrot.server.resp.Numbers.writeLong(out, len);
        } else {
            out.writeCharSequence("HD", StandardCharsets.US_ASCII);
        }
        long now = System.currentTimeMillis();
        long shown = expiry;
        for (int i = 0; i < request.metaFlagCount(); i++) {
            switch (McMetaFlags.flag(request, i)) {
                case 'T' -> shown = touched(now);
                case 's' -> {
                    out.writeCharSequence(" s", StandardCharsets.US_ASCII);
                    io.qrrot.server.resp.Numbers.writeLong(out, len);
                }
                case 't' -> ttl(out, shown, now);
                case 'c' -> {
                    out.writeCharSequence(" c", StandardCharsets.US_ASCII);
                    writeUnsigned(out, cas);
                }
                case 'f' -> {
                    out.writeCharSequence(" f", StandardCharsets.US_ASCII);
                    io.qrrot.server.resp.Numbers.writeLong(out, Integer.toUnsignedLong(flags));
                }
                default -> echo(out, i, key, koff, klen);
            }
        }
        out.writeBytes(CRLF);
        if (metaFlags.value) {
            conn.reply.raw(data, off, len);
            out.writeBytes(CRLF);
        }
    }

    /** The expiry mg's or ma's T gives, as an absolute time in ms (0: none). */
    private long touched(long now) {
        long at = Memcached.expiry(metaFlags.exptime, now);
        return at == Memcached.EXPIRED ? now : at;
    }

    /** " t" and the seconds left (memcached's current_time is whole seconds), -1 for no expiry. */
    private static void ttl(ByteBuf out, long expiry, long now) {
        out.writeCharSequence(" t", StandardCharsets.US_ASCII);
        if (expiry == 0) {
            out.writeCharSequence("-1", StandardCharsets.US_ASCII);
        } else {
            io.qrrot.server.resp.Numbers.writeLong(out, Math.max(0, (expiry - now + 999) / 1000));
        }
    }

    /** The flags every meta reply echoes: O (the whole token) and k (the key). */
    private void echo(ByteBuf out, int i, DirectBuffer key, int koff, int klen) {
        int f = McMetaFlags.flag(request, i);
        if (f == 'O') {
            out.writeByte(' ');
            out.writeBytes(request.array(), request.metaFlagOffset(i), request.metaFlagLength(i));
        } else if (f == 'k') {
            out.writeCharSequence(" k", StandardCharsets.US_ASCII);
            if (key != null) {
                conn.reply.raw(key, koff, klen);
            } else {
                out.writeBytes(request.array(), request.keyOffset(0), request.keyLength(0));
            }
        }
    }

    /** The status line of ms, md, ma (and mg's miss): its code and the flags memcached echoes with it. */
    private void metaStatus(Memcached.Status s) {
        ByteBuf out = conn.reply.target();
        String code;
        boolean nominal = false;
        switch (s) {
            case END -> {
                if (metaHit) {
                    return;
                }
                code = "EN";
                nominal = true; // q leaves misses out
            }
            case STORED, DELETED -> {
                code = "HD";
                nominal = true;
            }
            case NOT_STORED -> code = "NS";
            case EXISTS -> code = "EX";
            case NOT_FOUND -> code = "NF";
            default -> code = "HD";
        }
        if (nominal && metaFlags.noreply) {
            return;
        }
        out.writeCharSequence(code, StandardCharsets.US_ASCII);
        for (int i = 0; i < request.metaFlagCount(); i++) {
            if (meta == McCommand.MS && McMetaFlags.flag(request, i) == 'c') {
                out.writeCharSequence(" c", StandardCharsets.US_ASCII);
                writeUnsigned(out, s == Memcached.Status.STORED ? changedCas : 0);
            } else {
                echo(out, i, null, 0, 0);
            }
        }
        out.writeBytes(CRLF);
    }

    /** ma's new value: HD or VA with the flags asked back, then the digits when v was asked. */
    private void metaNumber(long value) {
        if (metaFlags.noreply) {
            return;
        }
        ByteBuf out = conn.reply.target();
        int digits = unsignedLength(value);
        if (metaFlags.value) {
            out.writeCharSequence("VA ", StandardCharsets.US_ASCII);
            io.qrrot.server.resp.Numbers.writeLong(out, digits);
        } else {
            out.writeCharSequence("HD", StandardCharsets.US_ASCII);
        }
        long now = System.currentTimeMillis();
        long shown = expiryBefore;
        for (int i = 0; i < request.metaFlagCount(); i++) {
            switch (McMetaFlags.flag(request, i)) {
                case 'T', 'N' -> shown = expiryAfter;
                case 'c' -> {
                    out.writeCharSequence(" c", StandardCharsets.US_ASCII);
                    writeUnsigned(out, changedCas);
                }
                case 't' -> ttl(out, shown, now);
                default -> echo(out, i, null, 0, 0);
            }
        }
        out.writeBytes(CRLF);
        if (metaFlags.value) {
            writeUnsigned(out, value);
            out.writeBytes(CRLF);
        }
    }

    private static int unsignedLength(long v) {
        if (v < 0) {
            return 20; // 2^63 and above: 19 digits for v / 10, then the last
        }
        return io.qrrot.server.resp.Numbers.decimalLength(v);
    }

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
        if (request.hasDelay()) {
            long now = System.currentTimeMillis();
            long at = Memcached.expiry(request.exptime(), now); // a delay reads as an exptime: 0 or past is now
            delayMillis = at == Memcached.EXPIRED ? 0 : Math.max(0, at - now);
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
    public void value(DirectBuffer key, int koff, int klen, int flags, DirectBuffer data, int off, int len, long cas,
                      long expiry) {
        conn.server.memcachedStats.hit(currentOp);
        if (meta != null) {
            metaValue(key, koff, klen, flags, data, off, len, cas, expiry);
            return;
        }
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
    public void changed(long cas, long before, long after) {
        changedCas = cas;
        expiryBefore = before;
        expiryAfter = after;
    }

    @Override
    public void status(Memcached.Status status) {
        if (!uncounted) {
            conn.server.memcachedStats.outcome(currentOp, status);
        }
        if (meta != null) {
            metaStatus(status);
            return;
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
        if (meta != null) {
            metaNumber(value);
            return;
        }
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
