package io.qrrot.server;

import io.qrrot.engine.CommandArgs;
import io.qrrot.recovery.Qrrot;
import io.qrrot.server.resp.RespEncoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code SNAPSHOT BEGIN | READ lsn offset count | END | HELP}: hands a consistent snapshot of the running
 * database to a client, in bounded chunks (what {@code qrrot snapshot save} uses for a backup).
 *
 * <ul>
 *   <li>{@code BEGIN} writes a snapshot now (as SAVE, on the admin thread, the connection waiting) and pins
 *   its file to the connection by keeping it open: the bytes READ returns are those of that one snapshot,
 *   even after later compactions replace and delete it. Reply: {@code lsn} (its base LSN), {@code size}
 *   (bytes), {@code keys}, as a map (a flat array in RESP2).</li>
 *   <li>{@code READ lsn offset count} returns up to {@code count} bytes (at most {@link #MAX_CHUNK}) from
 *   {@code offset} as a bulk string, empty at the end of the file. It names the base LSN BEGIN answered, so
 *   a client never stitches two snapshots together. The file is read off the event loop.</li>
 *   <li>{@code END} closes the pinned file, as do RESET, the next BEGIN and closing the connection.</li>
 * </ul>
 *
 * <p>Threading: the pin belongs to the connection and is touched on its loop; the admin thread and the
 * read pool only use it while the connection is blocked waiting for them.
 */
final class SnapshotCommand {
    private static final Logger log = LoggerFactory.getLogger(SnapshotCommand.class);

    /** Largest chunk one READ returns: bounds the reply buffer whatever the snapshot's size. */
    static final int MAX_CHUNK = 4 << 20;

    /** The snapshot file a connection has open: immutable after BEGIN. */
    static final class Pin {
        final long baseLsn;
        final long size;
        final long keys;
        final FileChannel file;

        Pin(long baseLsn, long size, long keys, FileChannel file) {
            this.baseLsn = baseLsn;
            this.size = size;
            this.keys = keys;
            this.file = file;
        }

        void close() {
            try {
                file.close();
            } catch (IOException e) {
                log.debug("closing a pinned snapshot failed: {}", e.toString());
            }
        }
    }

    private SnapshotCommand() {
    }

    static void run(ClientConnection c, RespEncoder r, CommandArgs a) {
        if (a.is(1, "BEGIN")) {
            if (a.count() != 2) {
                r.error(Errors.wrongArity("snapshot|begin"));
                return;
            }
            begin(c);
        } else if (a.is(1, "READ")) {
            if (a.count() != 5) {
                r.error(Errors.wrongArity("snapshot|read"));
                return;
            }
            read(c, r, a);
        } else if (a.is(1, "END")) {
            if (a.count() != 2) {
                r.error(Errors.wrongArity("snapshot|end"));
                return;
            }
            release(c);
            r.simple("OK");
        } else if (a.is(1, "HELP") && a.count() == 2) {
            CommandReplies.help(r, "SNAPSHOT <subcommand> [<arg> ...]. Subcommands are:",
                    "BEGIN", "    Write a snapshot now and keep its file open for this connection. Returns its lsn, size and keys.",
                    "READ <lsn> <offset> <count>", "    Return up to <count> bytes (at most " + MAX_CHUNK
                            + ") of that file from <offset>; empty at its end.",
                    "END", "    Close the file.",
                    "HELP", "    Print this help.");
        } else {
            r.error(Errors.unknownSubcommand(a));
        }
    }

    /** Closes the connection's pinned snapshot, if any. Runs on the connection's loop. */
    static void release(ClientConnection c) {
        Pin p = c.snapshotPin;
        if (p != null) {
            c.snapshotPin = null;
            p.close();
        }
    }

    private static void begin(ClientConnection c) {
        ServerContext s = c.server;
        release(c);
        c.block();
        try {
            s.admin.execute(() -> {
                Pin pin;
                try {
                    pin = saveAndOpen(s);
                } catch (Exception e) {
                    log.error("SNAPSHOT BEGIN for client {} failed: {}", c.id,
                            e.getMessage() != null ? e.getMessage() : e.toString(), e);
                    String message = e instanceof NoSuchFileException
                            ? "ERR the snapshot file was replaced before it could be opened; send SNAPSHOT BEGIN again"
                            : "ERR the snapshot failed; the server log names the file and the cause";
                    c.completeBlocked(out -> out.error(message));
                    return;
                }
                log.info("snapshot at LSN {} ({} bytes, {} keys) open for client {} ({})", pin.baseLsn, pin.size,
                        pin.keys, c.id, c.channel.remoteAddress());
                c.completeBlocked(out -> {
                    c.snapshotPin = pin;
                    out.map(3);
                    out.bulk("lsn");
                    out.integer(pin.baseLsn);
                    out.bulk("size");
                    out.integer(pin.size);
                    out.bulk("keys");
                    out.integer(pin.keys);
                }, pin::close);
            });
        } catch (RejectedExecutionException e) {
            c.completeBlocked(out -> out.error("ERR the server is shutting down"));
        }
    }

    /** On the admin thread: SAVE, then open the file it wrote before any later compaction can delete it. */
    private static Pin saveAndOpen(ServerContext s) throws IOException {
        Qrrot.SnapshotResult res = ServerCommands.saveNow(s);
        FileChannel ch = FileChannel.open(res.file(), StandardOpenOption.READ);
        try {
            return new Pin(res.baseLsn(), ch.size(), res.keys(), ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static void read(ClientConnection c, RespEncoder r, CommandArgs a) {
        long lsn = CommandReplies.parseLong(a, 2);
        long offset = CommandReplies.parseLong(a, 3);
        long count = CommandReplies.parseLong(a, 4);
        if (lsn == Long.MIN_VALUE || offset == Long.MIN_VALUE || count == Long.MIN_VALUE) {
            r.error(Errors.NOT_INTEGER);
            return;
        }
        Pin pin = c.snapshotPin;
        if (pin == null) {
            r.error("ERR no snapshot is open on this connection; send SNAPSHOT BEGIN first");
            return;
        }
        if (lsn != pin.baseLsn) {
            r.error("ERR the snapshot open on this connection has base LSN " + pin.baseLsn + ", not " + lsn
                    + "; send SNAPSHOT BEGIN to start over");
            return;
        }
        if (offset < 0 || offset > pin.size) {
            r.error("ERR offset " + offset + " is outside the snapshot (0.." + pin.size + ")");
            return;
        }
        if (count < 1 || count > MAX_CHUNK) {
            r.error("ERR count must be 1.." + MAX_CHUNK + " bytes");
            return;
        }
        int n = (int) Math.min(count, pin.size - offset);
        if (n == 0) {
            r.bulk("");
            return;
        }
        c.block();
        try {
            c.server.fileReads.execute(() -> {
                byte[] chunk = new byte[n];
                try {
                    readFully(pin.file, ByteBuffer.wrap(chunk), offset);
                } catch (IOException e) {
                    log.error("SNAPSHOT READ for client {}: reading {} bytes at offset {} of the snapshot at LSN {} "
                            + "failed", c.id, n, offset, pin.baseLsn, e);
                    c.completeBlocked(out -> out.error("ERR reading the snapshot file failed; see the server log"));
                    return;
                }
                c.completeBlocked(out -> out.bulk(chunk, 0, n));
            });
        } catch (RejectedExecutionException e) {
            c.completeBlocked(out -> out.error("ERR the server is shutting down"));
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int got = ch.read(dst, at);
            if (got < 0) {
                throw new IOException("the snapshot file ended at byte " + at + ", before its size at BEGIN");
            }
            at += got;
        }
    }
}
