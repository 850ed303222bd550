package io.qrrot.cli.wal;

import io.qrrot.cli.render.Repr;
import io.qrrot.engine.EffectCodec;
import io.qrrot.engine.EffectVisitor;
import io.qrrot.engine.Scores;
import io.qrrot.engine.store.EntryType;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;

/**
 * One effect record as readable lines, one per operation, each starting with the record's LSN:
 * <pre>
 * lsn=12 PUT key "k" type=string value "v" expiry=none
 * lsn=13 PUT key "n" type=int value 42 expiry=2030-01-01T00:00:00Z
 * lsn=14 PUT key "m" type=memcached flags=5 cas=7 value "abc" expiry=none
 * lsn=15 DEL key "k"
 * lsn=16 EXPIRE key "n" expiry=none
 * lsn=17 CLEAR
 * lsn=18 ELEMENTS_PUT key "h" type=hash field "f" value "v"
 * lsn=19 ELEMENTS_DEL key "h" type=hash field "f"
 * lsn=20 ELEMENTS_PUT key "h2" type=hash as a table       (RENAME/COPY of a table: the line before its elements)
 * lsn=21 ELEMENTS_PUT key "z" type=zset member "m" score 1.5
 * lsn=22 ELEMENTS_DEL key "z" type=zset member "m"
 * lsn=23 ELEMENTS_PUT key "l" type=list label 65536 value "a"
 * lsn=24 ELEMENTS_DEL key "l" type=list label 65536
 * </pre>
 * A memcached item's client flags and CAS unique (its head) are shown as numbers (unsigned), its bytes as a
 * string's.
 * An element op (ELEMENTS_PUT, ELEMENTS_DEL) gets one line per element, each naming its key, so a line can be
 * grepped for on its own. Keys, fields and string/JSON values are quoted as redis-cli quotes them; one longer
 * than {@link #MAX_SHOWN} bytes is cut, with its full length given. A sorted-set member's score is printed as
 * ZSCORE prints it ({@link #score}); a list element, whose element in the log is its label, as the label's
 * signed number ({@link #label}) and its value.
 */
final class EffectLines implements EffectVisitor {
    /** Bytes of a value shown before it is cut. */
    static final int MAX_SHOWN = 256;

    private final long lsn;
    private final List<String> lines = new ArrayList<>();

    /** Lines of the record at {@code lsn}, as the visitor's calls add them ({@link #lines}). */
    EffectLines(long lsn) {
        this.lsn = lsn;
    }

    /** The lines added so far. */
    List<String> lines() {
        return lines;
    }

    /**
     * The lines of one record.
     *
     * @throws io.qrrot.engine.EffectFormatException when the payload is not a valid effect record
     */
    static List<String> of(long lsn, DirectBuffer payload, int offset, int length) {
        EffectLines v = new EffectLines(lsn);
        EffectCodec.decode(payload, offset, length, v);
        return v.lines;
    }

    @Override
    public void put(byte type, DirectBuffer key, int koff, int klen, DirectBuffer value, int voff, int vlen, long expiry) {
        StringBuilder sb = head("PUT").append(" key ");
        quoted(sb, key, koff, klen);
        switch (type) {
            case EffectCodec.TYPE_INT -> sb.append(" type=int value ").append(value.getLong(voff, ByteOrder.LITTLE_ENDIAN));
            case EffectCodec.TYPE_JSON -> quoted(sb.append(" type=json value "), value, voff, vlen);
            // The codec lets a memcached item through only with its whole head.
            case EffectCodec.TYPE_ITEM -> quoted(item(sb, value, voff).append(" value "), value,
                    voff + EntryType.ITEM_HEAD, vlen - EntryType.ITEM_HEAD);
            default -> quoted(sb.append(" type=string value "), value, voff, vlen);
        }
        lines.add(expiry(sb, expiry).toString());
    }

    @Override
    public void delete(DirectBuffer key, int koff, int klen) {
        lines.add(quoted(head("DEL").append(" key "), key, koff, klen).toString());
    }

    @Override
    public void expire(DirectBuffer key, int koff, int klen, long expiry) {
        lines.add(expiry(quoted(head("EXPIRE").append(" key "), key, koff, klen), expiry).toString());
    }

    @Override
    public void clear() {
        lines.add(head("CLEAR").toString());
    }

    @Override
    public void elementPut(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element, int eoff, int elen,
                           DirectBuffer payload, int poff, int plen) {
        StringBuilder sb = element(head("ELEMENTS_PUT"), type, key, koff, klen, element, eoff, elen);
        if (type == EntryType.ZSET) {
            lines.add(score(sb.append(" score "), payload, poff, plen).toString());
            return;
        }
        lines.add(quoted(sb.append(type == EffectCodec.TYPE_HASH || type == EntryType.LIST ? " value " : " payload "),
                payload, poff, plen).toString());
    }

    @Override
    public void createAsTable(byte type, DirectBuffer key, int koff, int klen) {
        StringBuilder sb = quoted(head("ELEMENTS_PUT").append(" key "), key, koff, klen);
        lines.add(sb.append(" type=").append(EntryType.name(type)).append(" as a table").toString());
    }

    @Override
    public void elementDelete(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element, int eoff,
                              int elen) {
        lines.add(element(head("ELEMENTS_DEL"), type, key, koff, klen, element, eoff, elen).toString());
    }

    /**
     * {@code key "k" type=hash field "f"}: a hash's element is a field, a sorted set's a member, a list's a
     * label ({@code label 65536}); another type's just an element.
     */
    private static StringBuilder element(StringBuilder sb, byte type, DirectBuffer key, int koff, int klen,
                                         DirectBuffer element, int eoff, int elen) {
        quoted(sb.append(" key "), key, koff, klen);
        // The codec lets an element op through only for a collection type this build knows.
        sb.append(" type=").append(EntryType.name(type));
        if (type == EntryType.LIST) {
            return label(sb.append(" label "), element, eoff, elen);
        }
        sb.append(type == EffectCodec.TYPE_HASH ? " field " : type == EntryType.ZSET ? " member " : " element ");
        return quoted(sb, element, eoff, elen);
    }

    /**
     * A list element's label ({@link EffectCodec#LIST_LABEL_BYTES} bytes, big-endian with the sign bit flipped,
     * so that byte order is label order) as its signed number: {@code 0}, {@code 65536}, {@code -131072}; an
     * element of another length, which no list holds, quoted as bytes.
     */
    static StringBuilder label(StringBuilder sb, DirectBuffer b, int off, int len) {
        if (len != EffectCodec.LIST_LABEL_BYTES) {
            return quoted(sb.append("(not a label: ").append(len).append(" bytes) "), b, off, len);
        }
        return sb.append(b.getLong(off, ByteOrder.BIG_ENDIAN) ^ Long.MIN_VALUE);
    }

    /**
     * A sorted-set member's payload: its score ({@link EntryType#SCORE_BYTES} bytes, a little-endian double) as
     * ZSCORE prints it ({@code "%.17g"}: {@code 1.5}, {@code 0.10000000000000001}, {@code inf}); a payload of
     * another length, which no sorted set holds, quoted as bytes.
     */
    static StringBuilder score(StringBuilder sb, DirectBuffer b, int off, int len) {
        if (len != EntryType.SCORE_BYTES) {
            return quoted(sb.append("(not a score: ").append(len).append(" bytes) "), b, off, len);
        }
        return sb.append(Scores.text(b.getDouble(off, ByteOrder.LITTLE_ENDIAN)));
    }

    /** {@code  type=memcached flags=5 cas=7}: a memcached item's head at {@code off}. */
    static StringBuilder item(StringBuilder sb, DirectBuffer b, int off) {
        return sb.append(" type=memcached flags=").append(Integer.toUnsignedString(b.getInt(off, ByteOrder.LITTLE_ENDIAN)))
                .append(" cas=").append(Long.toUnsignedString(b.getLong(off + EntryType.ITEM_CAS_OFFSET,
                        ByteOrder.LITTLE_ENDIAN)));
    }

    private StringBuilder head(String op) {
        return new StringBuilder(64).append("lsn=").append(lsn).append(' ').append(op);
    }

    private static StringBuilder expiry(StringBuilder sb, long expiry) {
        return sb.append(" expiry=").append(expiry == 0 ? "none" : Instant.ofEpochMilli(expiry).toString());
    }

    private static StringBuilder quoted(StringBuilder sb, DirectBuffer b, int off, int len) {
        byte[] bytes = new byte[Math.min(len, MAX_SHOWN)];
        b.getBytes(off, bytes);
        Repr.appendQuoted(sb, bytes);
        if (len > MAX_SHOWN) {
            sb.append("... (").append(len).append(" bytes)");
        }
        return sb;
    }
}
