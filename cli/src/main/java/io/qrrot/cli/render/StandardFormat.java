package io.qrrot.cli.render;

import io.qrrot.cli.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** redis-cli's terminal rendering (cliFormatReplyTTY), reply type by reply type. */
final class StandardFormat implements ReplyFormat {
    static final StandardFormat INSTANCE = new StandardFormat();

    @Override
    public byte[] format(List<byte[]> command, Reply reply) {
        return AsIsCommands.printsAsIs(command) ? RawFormat.asIs(reply) : format(reply);
    }

    @Override
    public byte[] format(Reply reply) {
        StringBuilder sb = new StringBuilder();
        append(sb, reply, "");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void append(StringBuilder sb, Reply r, String prefix) {
        if (r instanceof Reply.ErrorReply e) {
            sb.append("(error) ").append(e.message()).append('\n');
        } else if (r instanceof Reply.SimpleString s) {
            sb.append(s.value()).append('\n');
        } else if (r instanceof Reply.IntegerReply i) {
            sb.append("(integer) ").append(i.value()).append('\n');
        } else if (r instanceof Reply.DoubleReply d) {
            sb.append("(double) ").append(d.text()).append('\n');
        } else if (r instanceof Reply.BigNumberReply b) {
            sb.append("(big number) ").append(b.digits()).append('\n');
        } else if (r instanceof Reply.BulkString b) {
            Repr.appendQuoted(sb, b.bytes());
            sb.append('\n');
        } else if (r instanceof Reply.VerbatimReply v) {
            sb.append(v.text()).append('\n');
        } else if (r instanceof Reply.Null) {
            sb.append("(nil)\n");
        } else if (r instanceof Reply.BooleanReply b) {
            sb.append(b.value() ? "(true)\n" : "(false)\n");
        } else if (r instanceof Reply.MapReply m) {
            appendMap(sb, m, prefix);
        } else if (r instanceof Reply.SetReply s) {
            appendList(sb, s.elements(), prefix, '~', "(empty set)\n");
        } else if (r instanceof Reply.PushReply p) {
            appendList(sb, p.elements(), prefix, ')', "(empty push)\n");
        } else if (r instanceof Reply.ArrayReply a) {
            appendList(sb, a.elements(), prefix, ')', "(empty array)\n");
        } else {
            throw new IllegalStateException("unknown reply type " + r);
        }
    }

    private static void appendList(StringBuilder sb, List<Reply> elements, String prefix, char sep, String empty) {
        if (elements.isEmpty()) {
            sb.append(empty);
            return;
        }
        int width = digits(elements.size());
        String inner = prefix + " ".repeat(width + 2);
        for (int i = 0; i < elements.size(); i++) {
            // The parent already wrote the prefix of the first line.
            index(sb, i == 0 ? "" : prefix, i + 1, width, sep);
            append(sb, elements.get(i), inner);
        }
    }

    private static void appendMap(StringBuilder sb, Reply.MapReply m, String prefix) {
        List<Reply.Entry> entries = m.entries();
        if (entries.isEmpty()) {
            sb.append("(empty hash)\n");
            return;
        }
        int width = digits(entries.size());
        String inner = prefix + " ".repeat(width + 2);
        for (int i = 0; i < entries.size(); i++) {
            index(sb, i == 0 ? "" : prefix, i + 1, width, '#');
            append(sb, entries.get(i).key(), inner);
            sb.setLength(sb.length() - 1); // the key's newline
            sb.append(" => ");
            Reply value = entries.get(i).value();
            if (isMultiline(value)) {
                sb.append('\n').append(inner);
            }
            append(sb, value, inner);
        }
    }

    /** True when the value renders on several lines (redis-cli then starts it on a fresh line). */
    private static boolean isMultiline(Reply r) {
        if (r instanceof Reply.MapReply m) {
            if (m.entries().isEmpty()) {
                return false;
            }
            return m.entries().size() > 1 || isMultiline(m.entries().get(0).value());
        }
        if (r instanceof Reply.ArrayReply || r instanceof Reply.SetReply || r instanceof Reply.PushReply) {
            List<Reply> e = r.elements();
            if (e.isEmpty()) {
                return false;
            }
            return e.size() > 1 || isMultiline(e.get(0));
        }
        return false;
    }

    private static void index(StringBuilder sb, String prefix, int n, int width, char sep) {
        sb.append(prefix);
        String num = Integer.toString(n);
        sb.append(" ".repeat(width - num.length())).append(num).append(sep).append(' ');
    }

    private static int digits(int n) {
        return Integer.toString(n).length();
    }
}
