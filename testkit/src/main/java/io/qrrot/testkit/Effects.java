package io.qrrot.testkit;

import io.qrrot.engine.EffectCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Builds one effect record by hand, op by op, as the engine logs them ({@link EffectCodec}): how tests put
 * records in a log that no command makes yet (element ops before the hash commands), or make exactly the
 * records they need. {@link #record} checks the result with {@link EffectCodec#validate}.
 */
public final class Effects {
    private final ExpandableArrayBuffer buf = new ExpandableArrayBuffer(256);
    private int length = EffectCodec.HEADER_LENGTH;
    private int ops;

    /** True before the first op. */
    public boolean isEmpty() {
        return ops == 0;
    }

    public Effects put(byte type, String key, byte[] value, long expiry) {
        UnsafeBuffer k = bytes(key);
        UnsafeBuffer v = new UnsafeBuffer(value);
        length += EffectCodec.encodePut(buf, length, type, k, 0, k.capacity(), v, 0, v.capacity(), expiry);
        ops++;
        return this;
    }

    public Effects del(String key) {
        UnsafeBuffer k = bytes(key);
        length += EffectCodec.encodeDel(buf, length, k, 0, k.capacity());
        ops++;
        return this;
    }

    public Effects expire(String key, long expiry) {
        UnsafeBuffer k = bytes(key);
        length += EffectCodec.encodeExpire(buf, length, k, 0, k.capacity(), expiry);
        ops++;
        return this;
    }

    public Effects clear() {
        length += EffectCodec.encodeClear(buf, length);
        ops++;
        return this;
    }

    /** ELEMENTS_PUT of a hash: fields and values alternating (at least one pair). */
    public Effects hset(String key, List<String> fieldsAndValues) {
        UnsafeBuffer k = bytes(key);
        int op = length;
        length += EffectCodec.encodeElementsHead(buf, length, EffectCodec.OP_ELEMENTS_PUT, EffectCodec.TYPE_HASH, k,
                0, k.capacity());
        for (int i = 0; i < fieldsAndValues.size(); i += 2) {
            UnsafeBuffer f = bytes(fieldsAndValues.get(i));
            UnsafeBuffer v = bytes(fieldsAndValues.get(i + 1));
            length += EffectCodec.encodeElementPut(buf, length, f, 0, f.capacity(), v, 0, v.capacity());
            EffectCodec.addElementCount(buf, op);
        }
        ops++;
        return this;
    }

    /** ELEMENTS_DEL of a hash (at least one field). */
    public Effects hdel(String key, List<String> fields) {
        UnsafeBuffer k = bytes(key);
        int op = length;
        length += EffectCodec.encodeElementsHead(buf, length, EffectCodec.OP_ELEMENTS_DEL, EffectCodec.TYPE_HASH, k,
                0, k.capacity());
        for (String field : fields) {
            UnsafeBuffer f = bytes(field);
            length += EffectCodec.encodeElementDel(buf, length, f, 0, f.capacity());
            EffectCodec.addElementCount(buf, op);
        }
        ops++;
        return this;
    }

    /** The record: its header and ops, validated. */
    public byte[] record() {
        EffectCodec.encodeHeader(buf, 0, ops);
        byte[] out = new byte[length];
        buf.getBytes(0, out);
        EffectCodec.validate(new UnsafeBuffer(out), 0, out.length);
        return out;
    }

    private static UnsafeBuffer bytes(String s) {
        return new UnsafeBuffer(s.getBytes(StandardCharsets.UTF_8));
    }
}
