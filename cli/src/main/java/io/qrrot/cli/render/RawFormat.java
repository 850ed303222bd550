package io.qrrot.cli.render;

import io.qrrot.cli.resp.Reply;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** redis-cli {@code --raw} (cliFormatReplyRaw): values as they are, aggregate elements one per line. */
final class RawFormat implements ReplyFormat {
    static final RawFormat INSTANCE = new RawFormat();

    @Override
    public byte[] format(List<byte[]> command, Reply reply) {
        return AsIsCommands.printsAsIs(command) ? RawFormat.asIs(reply) : format(reply);
    }

    @Override
    public byte[] format(Reply reply) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        append(out, reply);
        out.write('\n');
        return out.toByteArray();
    }

    /** cliFormatReplyRaw without the delimiter after it: what redis-cli prints for INFO, CLIENT LIST … */
    static byte[] asIs(Reply reply) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        append(out, reply);
        return out.toByteArray();
    }

    private static void append(ByteArrayOutputStream out, Reply r) {
        if (r instanceof Reply.Null) {
            return;
        }
        if (r instanceof Reply.ErrorReply e) {
            text(out, e.message());
            out.write('\n');
        } else if (r instanceof Reply.SimpleString s) {
            text(out, s.value());
        } else if (r instanceof Reply.BulkString b) {
            out.writeBytes(b.bytes());
        } else if (r instanceof Reply.VerbatimReply v) {
            text(out, v.text());
        } else if (r instanceof Reply.BooleanReply b) {
            text(out, b.value() ? "(true)" : "(false)");
        } else if (r instanceof Reply.IntegerReply i) {
            text(out, Long.toString(i.value()));
        } else if (r instanceof Reply.DoubleReply d) {
            text(out, d.text());
        } else if (r instanceof Reply.BigNumberReply b) {
            text(out, b.digits());
        } else if (r instanceof Reply.MapReply m) {
            List<Reply.Entry> entries = m.entries();
            for (int i = 0; i < entries.size(); i++) {
                if (i > 0) {
                    out.write('\n');
                }
                append(out, entries.get(i).key());
                out.write(' ');
                append(out, entries.get(i).value());
            }
        } else {
            List<Reply> elements = r.elements();
            for (int i = 0; i < elements.size(); i++) {
                if (i > 0) {
                    out.write('\n');
                }
                append(out, elements.get(i));
            }
        }
    }

    private static void text(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }
}
