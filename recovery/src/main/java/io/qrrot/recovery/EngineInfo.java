package io.qrrot.recovery;

import io.qrrot.engine.Engine;
import io.qrrot.engine.EngineStats;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** INFO's {@code memory} and {@code keyspace} fields of an engine, as every kind of database reports them. */
public final class EngineInfo {
    private EngineInfo() {
    }

    /** INFO {@code memory}. */
    public static Map<String, String> memory(Engine engine) {
        EngineStats s = engine.stats();
        Map<String, String> memory = new LinkedHashMap<>();
        memory.put("used_memory", Long.toString(s.usedMemory()));
        memory.put("used_memory_human", human(s.usedMemory()));
        memory.put("used_memory_dataset", Long.toString(s.liveBytes()));
        memory.put("used_memory_index", Long.toString(s.indexBytes()));
        memory.put("allocated_memory", Long.toString(s.allocatedBytes()));
        memory.put("mem_fragmentation_bytes", Long.toString(s.fragmentationBytes()));
        memory.put("mem_fragmentation_ratio", String.format(Locale.ROOT, "%.2f", s.fragmentationRatio()));
        memory.put("maxmemory", Long.toString(s.maxMemory()));
        memory.put("maxmemory_human", human(s.maxMemory()));
        memory.put("heap_used", Long.toString(Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()));
        return memory;
    }

    /** INFO {@code keyspace}. */
    public static Map<String, String> keyspace(Engine engine) {
        EngineStats s = engine.stats();
        Map<String, String> keyspace = new LinkedHashMap<>();
        keyspace.put("db0", "keys=" + s.keys() + ",expires=" + s.expires() + ",avg_ttl="
                + (s.expires() == 0 ? 0 : engine.avgTtl()));
        keyspace.put("qrrot_types", "string=" + s.strings() + ",int=" + s.ints() + ",json=" + s.jsons() + ",hash="
                + s.hashes() + ",list=" + s.lists() + ",set=" + s.sets() + ",zset=" + s.zsets() + ",memcached="
                + s.items());
        return keyspace;
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + "B";
        }
        String units = "KMGTPE";
        int u = (63 - Long.numberOfLeadingZeros(bytes)) / 10;
        return String.format(Locale.ROOT, "%.2f%c", bytes / (double) (1L << (10 * u)), units.charAt(u - 1));
    }
}
