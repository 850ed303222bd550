package io.qrrot.recovery;

import io.qrrot.engine.EffectVisitor;
import io.qrrot.engine.Engine;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.agrona.DirectBuffer;

/** What a store holds, as comparable text, for tests that check two ways of building it agree. */
final class StoreContents {
    private StoreContents() {
    }

    /**
     * key hex → "type value-hex expiry" for every entry of the store holding a value, "type {element-hex=payload-hex,
     * ...} expiry" (elements sorted) for every collection.
     */
    static TreeMap<String, String> entries(Engine e) {
        TreeMap<String, String> out = new TreeMap<>();
        Map<String, TreeMap<String, String>> collections = new HashMap<>();
        Map<String, Byte> types = new HashMap<>();
        Map<String, Long> expiries = new HashMap<>();
        e.forEachEntry(new EffectVisitor() {
            @Override
            public void put(byte type, DirectBuffer key, int koff, int klen, DirectBuffer value, int voff, int vlen,
                            long expiry) {
                out.put(hex(key, koff, klen), type + " " + hex(value, voff, vlen) + " " + expiry);
            }

            @Override
            public void delete(DirectBuffer key, int koff, int klen) {
                throw new AssertionError("forEachEntry delivers no delete");
            }

            @Override
            public void expire(DirectBuffer key, int koff, int klen, long expiry) {
                String k = hex(key, koff, klen);
                if (!collections.containsKey(k)) {
                    throw new AssertionError("forEachEntry delivers an expire only after a collection's elements");
                }
                expiries.put(k, expiry);
            }

            @Override
            public void clear() {
                throw new AssertionError("forEachEntry delivers no clear");
            }

            @Override
            public void elementPut(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element, int eoff,
                                   int elen, DirectBuffer payload, int poff, int plen) {
                String k = hex(key, koff, klen);
                String previous = collections.computeIfAbsent(k, x -> new TreeMap<>())
                        .put(hex(element, eoff, elen), hex(payload, poff, plen));
                if (previous != null) {
                    throw new AssertionError("element " + hex(element, eoff, elen) + " of " + k + " twice");
                }
                types.put(k, type);
            }

            @Override
            public void elementDelete(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element, int eoff,
                                      int elen) {
                throw new AssertionError("forEachEntry delivers no element delete");
            }
        });
        collections.forEach((k, elements) -> {
            StringBuilder sb = new StringBuilder().append(types.get(k)).append(" {");
            elements.forEach((el, p) -> sb.append(el).append('=').append(p).append(','));
            sb.append("} ").append(expiries.getOrDefault(k, 0L));
            if (out.put(k, sb.toString()) != null) {
                throw new AssertionError("key " + k + " holds a value and a collection");
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
