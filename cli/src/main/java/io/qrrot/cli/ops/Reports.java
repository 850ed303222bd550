package io.qrrot.cli.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
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

    /** A snapshot's header and footer (and whether every check ran), one field a line. */
    public static List<String> lines(SnapshotInfo s) {
        List<String> out = new ArrayList<>();
        out.add("file:           " + s.file());
        out.add("format version: " + s.formatVersion());
        out.add("base LSN:       " + s.baseLsn());
        out.add("created:        " + Instant.ofEpochMilli(s.createdMillis()));
        out.add("keys:           " + s.recordCount());
        out.add("blocks:         " + s.blockCount());
        out.add("size:           " + s.fileSize() + " bytes");
        out.add("verified:       " + (s.verified() ? "yes: every block CRC, record, count and the digest checked"
                : "no: header and footer only (qrrot snapshot verify checks everything)"));
        return out;
    }
}
