package io.qrrot.cli.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qrrot.recovery.DataTools;
import io.qrrot.recovery.snapshot.SnapshotInfo;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How the ops verbs print what they found: lines for people, one JSON document with {@code --json}. */
public final class Reports {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Reports() {
    }

    /** One JSON document, fields in the map's order. */
    public static String json(Map<String, ?> fields) {
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a report of plain values failed to serialise", e);
        }
    }

    /** {@code {"file": …, "error": …}}: what {@code --json} prints when the verb failed. */
    public static String jsonError(Path file, String error) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", file.toString());
        m.put("error", error);
        return json(m);
    }

    /**
     * What {@code snapshot verify} found: the header and footer, one field a line, with the collections the
     * records hold (per type: keys, elements, the most elements one has) before the verdict.
     */
    public static List<String> lines(DataTools.Contents c) {
        List<String> out = lines(c.info());
        List<String> collections = new ArrayList<>();
        if (c.collections().isEmpty()) {
            collections.add("collections:    none");
        }
        for (DataTools.CollectionCount t : c.collections()) {
            collections.add((collections.isEmpty() ? "collections:    " : "                ") + t.keys() + " "
                    + (t.keys() == 1 ? t.type() : plural(t.type())) + " with " + t.elements()
                    + " elements (the largest " + t.largest() + ")");
        }
        out.addAll(out.size() - 1, collections);
        return out;
    }

    /** {@code snapshot verify --json}: the info's fields, then the collections. */
    public static String json(DataTools.Contents c) {
        SnapshotInfo s = c.info();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", s.file());
        m.put("formatVersion", s.formatVersion());
        m.put("baseLsn", s.baseLsn());
        m.put("createdMillis", s.createdMillis());
        m.put("recordCount", s.recordCount());
        m.put("keyCount", s.keyCount());
        m.put("blockCount", s.blockCount());
        m.put("fileSize", s.fileSize());
        m.put("verified", s.verified());
        List<Map<String, Object>> collections = new ArrayList<>();
        for (DataTools.CollectionCount t : c.collections()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("type", t.type());
            e.put("keys", t.keys());
            e.put("elements", t.elements());
            e.put("largest", t.largest());
            collections.add(e);
        }
        m.put("collections", collections);
        return json(m);
    }

    /** hash → hashes, list → lists. */
    private static String plural(String type) {
        return type + (type.endsWith("h") || type.endsWith("s") ? "es" : "s");
    }

    /** A snapshot's header and footer (and whether every check ran), one field a line. */
    public static List<String> lines(SnapshotInfo s) {
        List<String> out = new ArrayList<>();
        out.add("file:           " + s.file());
        out.add("format version: " + s.formatVersion());
        out.add("base LSN:       " + s.baseLsn());
        out.add("created:        " + Instant.ofEpochMilli(s.createdMillis()));
        out.add("keys:           " + s.keyCount());
        out.add("records:        " + s.recordCount() + (s.formatVersion() >= 2
                ? " (a key with its value; a collection's header, elements and continuations)" : ""));
        out.add("blocks:         " + s.blockCount());
        out.add("size:           " + s.fileSize() + " bytes");
        out.add("verified:       " + (s.verified() ? "yes: every block CRC, record, count and the digest checked"
                : "no: header and footer only (qrrot snapshot verify checks everything)"));
        return out;
    }
}
