package io.qrrot.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/** An engine on a fake clock with a capturing log, and helpers to run commands and dump state. */
final class Harness implements AutoCloseable {
    final FakeClock clock;
    final CapturingLog log = new CapturingLog();
    final Engine engine;
    final Session session;
    final TreeSink sink = new TreeSink();

    Harness() {
        this(EngineConfig.defaults().withShards(8), 1_000_000_000_000L);
    }

    Harness(EngineConfig config, long start) {
        clock = new FakeClock(start);
        engine = new Engine(config, clock);
        session = engine.newSession();
    }

    /** Runs one command on the default session and returns its reply. */
    Object call(String... args) {
        return call(session, args);
    }

    Object call(Session s, String... args) {
        CommandArgs a = new CommandArgs();
        for (String x : args) {
            a.add(x.getBytes(StandardCharsets.ISO_8859_1));
        }
        engine.execute(s, a, sink, log);
        return sink.take();
    }

    /** Every live and expired-but-present entry as "type:value@expiry", by key (ISO-8859-1). */
    static Map<String, String> dump(Engine e) {
        Map<String, String> m = new TreeMap<>();
        Map<String, Map<String, String>> hashes = new TreeMap<>();
        Map<String, Long> expiries = new TreeMap<>();
        Map<String, String> types = new TreeMap<>();
        EffectVisitor v = new EffectVisitor() {
            @Override
            public void put(byte type, DirectBuffer key, int koff, int klen, DirectBuffer value, int voff, int vlen,
                            long expiry) {
                String val = type == EffectCodec.TYPE_INT ? Long.toString(value.getLong(voff, java.nio.ByteOrder.LITTLE_ENDIAN))
                        : str(value, voff, vlen);
                m.put(str(key, koff, klen), QrrotCommands.typeName(type) + ":" + val + "@" + expiry);
            }

            @Override
            public void delete(DirectBuffer key, int koff, int klen) {
            }

            @Override
            public void expire(DirectBuffer key, int koff, int klen, long expiry) {
                expiries.put(str(key, koff, klen), expiry);
            }

            @Override
            public void clear() {
            }

            @Override
            public void elementPut(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element, int eoff,
                                   int elen, DirectBuffer payload, int poff, int plen) {
                hashes.computeIfAbsent(str(key, koff, klen), k -> new TreeMap<>())
                        .put(str(element, eoff, elen), str(payload, poff, plen));
                types.put(str(key, koff, klen), QrrotCommands.typeName(type));
            }

            @Override
            public void elementDelete(byte type, DirectBuffer key, int koff, int klen, DirectBuffer element,
                                      int eoff, int elen) {
            }
        };
        e.forEachEntry(v);
        // A collection arrives as its elements, then an EXPIRE when it has a TTL.
        for (Map.Entry<String, Map<String, String>> h : hashes.entrySet()) {
            m.put(h.getKey(), types.get(h.getKey()) + ":" + h.getValue() + "@" + expiries.getOrDefault(h.getKey(), 0L));
        }
        return m;
    }

    static String str(DirectBuffer b, int off, int len) {
        byte[] x = new byte[len];
        b.getBytes(off, x);
        return new String(x, StandardCharsets.ISO_8859_1);
    }

    /** Replays every captured record into a fresh engine. */
    Engine replay(int times) {
        Engine fresh = new Engine(EngineConfig.defaults().withShards(4), clock);
        List<byte[]> recs = new ArrayList<>(log.snapshot());
        for (int t = 0; t < times; t++) {
            for (byte[] r : recs) {
                fresh.applyEffect(new UnsafeBuffer(r), 0, r.length);
            }
        }
        return fresh;
    }

    @Override
    public void close() {
        session.close();
        engine.close();
    }
}
