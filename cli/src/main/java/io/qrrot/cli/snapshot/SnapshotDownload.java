package io.qrrot.cli.snapshot;

import io.qrrot.cli.resp.Reply;
import io.qrrot.cli.resp.RespConfig;
import io.qrrot.cli.resp.RespConnection;
import io.qrrot.recovery.DataTools;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies a consistent snapshot of a running server into a local file over the server's own protocol:
 * {@code SNAPSHOT BEGIN} (the server saves one and keeps its file open), {@code SNAPSHOT READ lsn offset
 * count} until the end, {@code SNAPSHOT END}. The bytes go to {@code <file>.part}, which is fsynced; the
 * caller then verifies and installs it ({@link DataTools#install}). Single-threaded.
 */
final class SnapshotDownload {
    /** Bytes asked per READ: large enough to stream at disk speed, small enough to bound both sides' buffers. */
    static final int CHUNK = 1 << 20;

    /** What BEGIN answered. */
    record Begun(long lsn, long size, long keys) {
    }

    private SnapshotDownload() {
    }

    /**
     * Downloads into {@code part} (created; it must not exist).
     *
     * @return what the server said it saved; {@code part} then holds exactly {@code size} bytes, fsynced
     * @throws IOException the connection failed, or the server refused (the message says what to do)
     */
    static Begun fetch(RespConfig config, Path part, DataTools.Progress progress) throws IOException {
        try (RespConnection conn = RespConnection.open(config.withResp3(false))) {
            Begun b = begin(conn);
            try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                long offset = 0;
                String lsn = Long.toString(b.lsn());
                progress.update(0, b.size());
                while (offset < b.size()) {
                    Reply r = conn.call("SNAPSHOT", "READ", lsn, Long.toString(offset), Integer.toString(CHUNK));
                    if (r instanceof Reply.ErrorReply e) {
                        throw new IOException("the server stopped sending the snapshot at byte " + offset + " of "
                                + b.size() + ": " + e.message() + "; run the save again");
                    }
                    if (!(r instanceof Reply.BulkString chunk) || chunk.length() == 0) {
                        throw new IOException("the server sent " + r + " for the snapshot's bytes at offset " + offset
                                + " of " + b.size() + "; run the save again");
                    }
                    ByteBuffer bytes = ByteBuffer.wrap(chunk.bytes());
                    while (bytes.hasRemaining()) {
                        out.write(bytes, offset + bytes.position());
                    }
                    offset += chunk.length();
                    progress.update(offset, b.size());
                }
                out.force(true);
            }
            conn.call("SNAPSHOT", "END");
            return b;
        }
    }

    private static Begun begin(RespConnection conn) throws IOException {
        Reply r = conn.call("SNAPSHOT", "BEGIN");
        if (r instanceof Reply.ErrorReply e) {
            if (e.message().startsWith("ERR unknown command")) {
                throw new IOException("the server at " + conn.config().address() + " does not know SNAPSHOT (is it "
                        + "a qrrot server of this version?): " + e.message());
            }
            throw new IOException("the server at " + conn.config().address() + " refused SNAPSHOT BEGIN: "
                    + e.message());
        }
        Map<String, Long> fields = new HashMap<>();
        List<Reply> flat = r.elements();
        if (r instanceof Reply.MapReply m) {
            for (Reply.Entry en : m.entries()) {
                put(fields, en.key(), en.value());
            }
        }
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            put(fields, flat.get(i), flat.get(i + 1));
        }
        Long lsn = fields.get("lsn");
        Long size = fields.get("size");
        Long keys = fields.get("keys");
        if (lsn == null || size == null || keys == null) {
            throw new IOException("SNAPSHOT BEGIN answered " + r + " instead of its lsn, size and keys");
        }
        return new Begun(lsn, size, keys);
    }

    private static void put(Map<String, Long> fields, Reply key, Reply value) {
        if (key instanceof Reply.BulkString k && value instanceof Reply.IntegerReply v) {
            fields.put(k.utf8(), v.value());
        }
    }

    /** Deletes a leftover {@code .part} file, if any. */
    static void discard(Path part) {
        try {
            Files.deleteIfExists(part);
        } catch (IOException e) {
            // best effort: the caller reports the failure that matters
        }
    }
}
