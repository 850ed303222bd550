package io.qrrot.recovery;

import io.qrrot.engine.EffectVisitor;
import io.qrrot.engine.Engine;
import java.util.HexFormat;
import java.util.TreeMap;
import org.agrona.DirectBuffer;

/** What a store holds, as comparable text, for tests that check two ways of building it agree. */
final class StoreContents {
    private StoreContents() {
    }

    /** key hex → "type value-hex expiry" for every entry of the store. */
    static TreeMap<String, String> entries(Engine e) {
        TreeMap<String, String> out = new TreeMap<>();
        e.forEachEntry(new EffectVisitor() {
            @Override
            public void put(byte type, DirectBuffer key, int koff, int klen, DirectBuffer value, int voff, int vlen,
                            long expiry) {
                out.put(hex(key, koff, klen), type + " " + hex(value, voff, vlen) + " " + expiry);
            }

            @Override
            public void delete(DirectBuffer key, int koff, int klen) {
            }

            @Override
            public void expire(DirectBuffer key, int koff, int klen, long expiry) {
            }

            @Override
            public void clear() {
            }
        });
        return out;
    }

    static String hex(DirectBuffer b, int off, int len) {
        byte[] bytes = new byte[len];
        b.getBytes(off, bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
