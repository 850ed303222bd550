package io.qrrot.cli.render;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.qrrot.cli.resp.Reply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One JSON document per reply, on one line:
 * strings (simple, bulk, verbatim) → JSON strings; integers, doubles and big numbers → numbers (a double
 * that is not finite → the string {@code "inf"}, {@code "-inf"} or {@code "nan"}); nil → {@code null};
 * booleans → {@code true}/{@code false}; arrays, sets and pushes → arrays; maps → objects (keys rendered as
 * text); an error → {@code {"error":"ERR …"}}. A bulk string that is not valid UTF-8 is rendered one
 * character per byte (ISO-8859-1), so no byte is lost.
 */
final class JsonFormat implements ReplyFormat {
    static final JsonFormat INSTANCE = new JsonFormat();
    private static final JsonFactory FACTORY = new JsonFactory();

    @Override
    public byte[] format(Reply reply) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, reply);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen on a byte array
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static void write(JsonGenerator g, Reply r) throws IOException {
        if (r instanceof Reply.Null) {
            g.writeNull();
        } else if (r instanceof Reply.ErrorReply e) {
            g.writeStartObject();
            g.writeStringField("error", e.message());
            g.writeEndObject();
        } else if (r instanceof Reply.SimpleString s) {
            g.writeString(s.value());
        } else if (r instanceof Reply.BulkString b) {
            g.writeString(text(b.bytes()));
        } else if (r instanceof Reply.VerbatimReply v) {
            g.writeString(v.text());
        } else if (r instanceof Reply.IntegerReply i) {
            g.writeNumber(i.value());
        } else if (r instanceof Reply.DoubleReply d) {
            double v = d.value();
            if (Double.isFinite(v)) {
                g.writeNumber(v);
            } else {
                g.writeString(Double.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf");
            }
        } else if (r instanceof Reply.BigNumberReply b) {
            g.writeNumber(new BigInteger(b.digits()));
        } else if (r instanceof Reply.BooleanReply b) {
            g.writeBoolean(b.value());
        } else if (r instanceof Reply.MapReply m) {
            g.writeStartObject();
            for (Reply.Entry e : m.entries()) {
                g.writeFieldName(keyText(e.key()));
                write(g, e.value());
            }
            g.writeEndObject();
        } else {
            List<Reply> elements = r.elements();
            g.writeStartArray();
            for (Reply e : elements) {
                write(g, e);
            }
            g.writeEndArray();
        }
    }

    private static String keyText(Reply key) throws IOException {
        if (key instanceof Reply.BulkString b) {
            return text(b.bytes());
        }
        if (key instanceof Reply.SimpleString s) {
            return s.value();
        }
        if (key instanceof Reply.IntegerReply i) {
            return Long.toString(i.value());
        }
        if (key instanceof Reply.DoubleReply d) {
            return d.text();
        }
        if (key instanceof Reply.VerbatimReply v) {
            return v.text();
        }
        if (key instanceof Reply.BigNumberReply b) {
            return b.digits();
        }
        if (key instanceof Reply.BooleanReply b) {
            return Boolean.toString(b.value());
        }
        if (key instanceof Reply.Null) {
            return "null";
        }
        byte[] json = INSTANCE.format(key);
        return new String(json, 0, json.length - 1, StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }
}
