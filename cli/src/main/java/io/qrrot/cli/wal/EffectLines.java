package io.qrrot.cli.wal;

import io.qrrot.cli.render.Repr;
import io.qrrot.engine.EffectCodec;
import io.qrrot.engine.EffectVisitor;
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
 * lsn=14 DEL key "k"
 * lsn=15 EXPIRE key "n" expiry=none
 * lsn=16 CLEAR
 * </pre>
 * Keys and string/JSON values are quoted as redis-cli quotes them; a value longer than {@link #MAX_SHOWN}
 * bytes is cut, with its full length given.
 */
final class EffectLines implements EffectVisitor {
    /** Bytes of a value shown before it is cut. */
    static final int MAX_SHOWN = 256;

    private final long lsn;
    private final List<String> lines = new ArrayList<>();

    private EffectLines(long lsn) {
        this.lsn = lsn;
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
