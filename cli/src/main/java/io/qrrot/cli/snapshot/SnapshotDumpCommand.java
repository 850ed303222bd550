package io.qrrot.cli.snapshot;

import io.qrrot.cli.CliContext;
import io.qrrot.cli.ops.Problems;
import io.qrrot.cli.render.Repr;
import io.qrrot.engine.EffectCodec;
import io.qrrot.engine.Scores;
import io.qrrot.engine.store.EntryType;
import io.qrrot.recovery.DataTools;
import io.qrrot.recovery.snapshot.SnapshotVisitor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code qrrot snapshot dump FILE [--elements] [--limit N]}: a snapshot's keys in file order, one a line, as
 * {@code qrrot wal dump} shows operations:
 * <pre>
 * key "k" type=string value "v" expiry=none
 * key "n" type=int value 42 expiry=2100-01-01T00:00:00Z
 * key "m" type=memcached flags=5 cas=7 value "abc" expiry=none
 * key "h" type=hash elements=2 expiry=none
 * key "z" type=zset elements=3 expiry=none
 * key "l" type=list elements=2 expiry=none
 * </pre>
 * With {@code --elements} a collection's line comes first, without the count, and its elements follow, one an
 * indented line ({@code   field "f" value "v"} of a hash, {@code   element "m"} of a set,
 * {@code   member "m" score 1.5} of a sorted set, the score printed as ZSCORE prints it,
 * {@code   label 65536 value "v"} of a list, in list order, the label the number that orders the list's
 * elements): the dump streams a collection as the file holds it, never the whole of it in memory. Values longer than {@link #MAX_SHOWN} bytes
 * are cut, with their length given.
 */
@Command(name = "dump", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"List a snapshot file's keys in file order, one a line: key \"k\" type=string value \"v\" "
                + "expiry=none, and for a collection its element count: key \"h\" type=hash elements=2 expiry=none "
                + "(with --elements, each element on a line of its own after its key: field \"f\" value \"v\" of a "
                + "hash, element \"m\" of a set, member \"m\" score 1.5 of a zset, label 65536 value \"v\" of a list, "
                + "in list order). Read-only; the whole file is "
                + "verified as it is read, and a damaged block stops the dump with the file and offset.",
                "Exit status: 0 the file was listed, 1 corrupt or unreadable, 2 usage."})
public final class SnapshotDumpCommand implements Callable<Integer> {
    /** Bytes of a key, value or element shown before it is cut. */
    static final int MAX_SHOWN = 256;
    private static final String VERB = "qrrot snapshot dump";

    private final CliContext ctx;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The snapshot file (.qrrt).")
    Path file;

    @Option(names = "--elements", description = "List every element of a collection (a hash's fields and values, a "
            + "set's members, a sorted set's members and scores, a list's labels and values).")
    boolean elements;

    @Option(names = "--limit", paramLabel = "N", description = "List at most N keys (default: all).")
    long limit = Long.MAX_VALUE;

    public SnapshotDumpCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    /** Thrown by the visitor to end the read once {@code --limit} keys are listed. */
    private static final class Enough extends RuntimeException {
        Enough() {
            super(null, null, false, false);
        }
    }

    @Override
    public Integer call() {
        if (limit < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), VERB + ": --limit must be at least 0");
        }
        Lines lines = new Lines(ctx.out());
        try {
            if (limit > 0) {
                DataTools.read(file, DataTools.Progress.NONE, lines);
            }
            lines.end();
        } catch (Enough e) {
            lines.end();
        } catch (IOException e) {
            lines.end();
            ctx.out().flush();
            ctx.err().println(VERB + ": " + Problems.describe(e));
            return 1;
        }
        ctx.out().flush();
        return 0;
    }

    /** Prints the records as they come; a collection's line once its elements are counted. */
    private final class Lines implements SnapshotVisitor {
        private final PrintStream out;
        private long keys;
        /** The collection being counted (its line not printed yet, without --elements). */
        private StringBuilder pending;
        private long pendingExpiry;
        private long count;

        Lines(PrintStream out) {
            this.out = out;
        }

        @Override
        public void onRecord(byte type, DirectBuffer key, DirectBuffer value, long expiry) {
            end();
            next();
            StringBuilder sb = quoted(new StringBuilder(64).append("key "), key);
            if (type == EntryType.INT && value.capacity() == 8) {
                sb.append(" type=int value ").append(value.getLong(0, ByteOrder.LITTLE_ENDIAN));
            } else if (type == EntryType.ITEM && value.capacity() >= EntryType.ITEM_HEAD) {
                // A memcached item: its head (client flags, CAS unique) as numbers, then its bytes.
                sb.append(" type=memcached flags=")
                        .append(Integer.toUnsignedString(value.getInt(0, ByteOrder.LITTLE_ENDIAN)))
                        .append(" cas=").append(Long.toUnsignedString(value.getLong(EntryType.ITEM_CAS_OFFSET,
                                ByteOrder.LITTLE_ENDIAN)));
                quoted(sb.append(" value "), new UnsafeBuffer(value, EntryType.ITEM_HEAD,
                        value.capacity() - EntryType.ITEM_HEAD));
            } else {
                sb.append(" type=").append(EntryType.isValid(type) ? EntryType.name(type) : "type" + type);
                quoted(sb.append(" value "), value);
            }
            out.println(expiry(sb, expiry));
        }

        @Override
        public void onCollection(byte type, DirectBuffer key, long expiry) {
            end();
            next();
            StringBuilder sb = quoted(new StringBuilder(64).append("key "), key).append(" type=")
                    .append(EntryType.isValid(type) ? EntryType.name(type) : "type" + type);
            if (elements) {
                out.println(expiry(sb, expiry));
            } else {
                pending = sb;
                pendingExpiry = expiry;
                count = 0;
            }
        }

        @Override
        public void onElement(byte type, DirectBuffer key, long expiry, DirectBuffer element, DirectBuffer payload) {
            if (!elements) {
                count++;
                return;
            }
            boolean hash = EntryType.isHash(type);
            boolean zset = EntryType.isZset(type);
            boolean list = EntryType.isList(type);
            StringBuilder sb = new StringBuilder(64);
            if (list) {
                label(sb.append("  label "), element);
            } else {
                quoted(sb.append(hash ? "  field " : zset ? "  member " : "  element "), element);
            }
            if (zset) {
                score(sb.append(" score "), payload);
            } else if (EntryType.hasPayload(type)) {
                quoted(sb.append(hash || list ? " value " : " payload "), payload);
            }
            out.println(sb);
        }

        /** Prints the collection being counted, if any. */
        void end() {
            if (pending != null) {
                out.println(expiry(pending.append(" elements=").append(count), pendingExpiry));
                pending = null;
            }
        }

        private void next() {
            if (keys++ == limit) {
                throw new Enough();
            }
        }
    }

    private static StringBuilder expiry(StringBuilder sb, long expiry) {
        return sb.append(" expiry=").append(expiry == 0 ? "none" : Instant.ofEpochMilli(expiry).toString());
    }

    /**
     * A sorted-set member's payload: its score (a little-endian double) as ZSCORE prints it; a payload of another
     * length, which no sorted set holds, quoted as bytes.
     */
    private static StringBuilder score(StringBuilder sb, DirectBuffer b) {
        if (b.capacity() != EntryType.SCORE_BYTES) {
            return quoted(sb.append("(not a score: ").append(b.capacity()).append(" bytes) "), b);
        }
        return sb.append(Scores.text(b.getDouble(0, ByteOrder.LITTLE_ENDIAN)));
    }

    /**
     * A list element's label (8 bytes, big-endian with the sign bit flipped, so that byte order is label order)
     * as its signed number; an element of another length, which no list holds, quoted as bytes.
     */
    private static StringBuilder label(StringBuilder sb, DirectBuffer b) {
        if (b.capacity() != EffectCodec.LIST_LABEL_BYTES) {
            return quoted(sb.append("(not a label: ").append(b.capacity()).append(" bytes) "), b);
        }
        return sb.append(b.getLong(0, ByteOrder.BIG_ENDIAN) ^ Long.MIN_VALUE);
    }

    private static StringBuilder quoted(StringBuilder sb, DirectBuffer b) {
        int len = b.capacity();
        byte[] bytes = new byte[Math.min(len, MAX_SHOWN)];
        b.getBytes(0, bytes);
        Repr.appendQuoted(sb, bytes);
        if (len > MAX_SHOWN) {
            sb.append("... (").append(len).append(" bytes)");
        }
        return sb;
    }
}
