package io.qrrot.engine.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON values: validation, the stored form, and a small document tree for JSON.GET / JSON.SET paths.
 *
 * <p><b>Stored form: normalised compact.</b> A JSON value is parsed with jackson-core's streaming parser and
 * written back without insignificant whitespace; strings are re-escaped minimally (so {@code "\u0041"} is
 * stored as {@code "A"}), numbers keep the text they were written with ({@code 1.50} stays {@code 1.50},
 * nothing is rounded), object members keep their order. A document must be exactly one value (a scalar
 * is fine); a duplicate member name in one object is refused rather than silently dropping one. Nesting is
 * limited to {@value #MAX_DEPTH} levels.
 *
 * <p>Tree nodes: {@code Map<String,Object>} (a {@link LinkedHashMap}) for objects, {@code List<Object>} for
 * arrays and {@link Scalar} for strings, numbers, booleans and null. Not a hot path: it allocates.
 */
public final class Json {
    /** Deepest nesting of arrays and objects accepted. */
    public static final int MAX_DEPTH = 1000;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNumberLength(Integer.MAX_VALUE)
                    .maxNameLength(Integer.MAX_VALUE)
                    .maxDocumentLength(-1)
                    .build())
            .build();

    private Json() {
    }

    /** A string, number, boolean or null, held as its compact JSON text (strings with their quotes). */
    public record Scalar(JsonToken token, String text) {
    }

    /** Parses and validates; returns the tree. */
    public static Object parse(byte[] bytes, int off, int len) throws JsonInvalidException {
        try (JsonParser p = FACTORY.createParser(bytes, off, len)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new JsonInvalidException("ERR invalid JSON: empty value");
            }
            Object root = read(p, t);
            JsonToken extra;
            try {
                extra = p.nextToken();
            } catch (JsonProcessingException e) {
                throw invalid(e, "unexpected bytes after the value");
            }
            if (extra != null) {
                throw new JsonInvalidException("ERR invalid JSON at byte "
                        + p.currentTokenLocation().getByteOffset() + ": more than one value");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw invalid(e, null);
        } catch (IOException e) {
            throw new JsonInvalidException("ERR invalid JSON: unreadable input");
        }
    }

    private static JsonInvalidException invalid(JsonProcessingException e, String what) {
        long at = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
        String reason = what != null ? what : reason(e);
        return new JsonInvalidException("ERR invalid JSON" + (at >= 0 ? " at byte " + at : "") + ": " + reason);
    }

    // A short reason of our own: jackson's messages quote source snippets and internals.
    private static String reason(JsonProcessingException e) {
        String m = String.valueOf(e.getOriginalMessage());
        if (m.startsWith("Duplicate field")) {
            return "duplicate member name in an object";
        }
        if (m.contains("nesting depth")) {
            return "nested deeper than " + MAX_DEPTH + " levels";
        }
        if (m.contains("end-of-input") || m.contains("Unexpected end")) {
            return "value ends early";
        }
        if (m.contains("Invalid UTF-8")) {
            return "invalid UTF-8";
        }
        if (m.contains("control character")) {
            return "unescaped control character in a string";
        }
        return "unexpected character";
    }

    private static Object read(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT: {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    m.put(name, read(p, p.nextToken()));
                }
                return m;
            }
            case START_ARRAY: {
                List<Object> a = new ArrayList<>();
                JsonToken n;
                while ((n = p.nextToken()) != JsonToken.END_ARRAY) {
                    a.add(read(p, n));
                }
                return a;
            }
            case VALUE_STRING:
                return new Scalar(t, p.getText());
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return new Scalar(t, p.getText());
            case VALUE_TRUE:
                return new Scalar(t, "true");
            case VALUE_FALSE:
                return new Scalar(t, "false");
            case VALUE_NULL:
                return new Scalar(t, "null");
            default:
                throw new IllegalStateException("unexpected token " + t);
        }
    }

    /** The normalised compact text of a tree (see the class comment). */
    public static byte[] write(Object node) {
        try (ByteArrayBuilder out = new ByteArrayBuilder(256);
             JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            write(g, node);
            g.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory failed", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static void write(JsonGenerator g, Object node) throws IOException {
        if (node instanceof Map) {
            g.writeStartObject();
            for (Map.Entry<String, Object> e : ((Map<String, Object>) node).entrySet()) {
                g.writeFieldName(e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (node instanceof List) {
            g.writeStartArray();
            for (Object o : (List<Object>) node) {
                write(g, o);
            }
            g.writeEndArray();
        } else {
            Scalar s = (Scalar) node;
            if (s.token() == JsonToken.VALUE_STRING) {
                g.writeString(s.text());
            } else {
                g.writeRawValue(s.text());
            }
        }
    }

    /** Validates {@code bytes} and returns its normalised compact form. */
    public static byte[] normalise(byte[] bytes, int off, int len) throws JsonInvalidException {
        return write(parse(bytes, off, len));
    }
}
