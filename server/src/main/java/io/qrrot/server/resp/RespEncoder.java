package io.qrrot.server.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.qrrot.engine.ReplySink;
import java.math.BigDecimal;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Encodes replies as RESP2 or RESP3 straight into a Netty buffer (the {@link #target} the connection points
 * it at). One per connection; not thread-safe. Nothing is allocated per reply except for doubles, and for
 * status or error texts that contain non-ASCII characters.
 *
 * <p>Status and error texts never carry CR or LF (each becomes a space, as Redis does), so a reply can never
 * break the framing whatever a command puts in its message.
 */
public final class RespEncoder implements ReplySink {
    private static final byte[] CRLF = {'\r', '\n'};

    private ByteBuf out;
    private int protocol = 2;
    private final UnsafeBuffer window = new UnsafeBuffer(0, 0);

    /** Points the encoder at the buffer the next replies go to. */
    public void target(ByteBuf buf) {
        this.out = buf;
    }

    public ByteBuf target() {
        return out;
    }

    /** 2 or 3. */
    public void protocol(int version) {
        if (version != 2 && version != 3) {
            throw new IllegalArgumentException("RESP protocol version must be 2 or 3, not " + version);
        }
        this.protocol = version;
    }

    public int protocol() {
        return protocol;
    }

    @Override
    public void simple(String status) {
        out.writeByte('+');
        writeLine(status);
    }

    @Override
    public void error(String message) {
        out.writeByte('-');
        writeLine(message);
    }

    @Override
    public void integer(long value) {
        out.writeByte(':');
        Numbers.writeLong(out, value);
        out.writeBytes(CRLF);
    }

    @Override
    public void bulk(DirectBuffer bytes, int off, int len) {
        bulkHeader(len);
        raw(bytes, off, len);
        out.writeBytes(CRLF);
    }

    /** Copies bytes to the target as they are, without framing (the memcached protocol's data blocks). */
    public void raw(DirectBuffer bytes, int off, int len) {
        out.ensureWritable(len + 2);
        int at = out.writerIndex();
        if (out.hasMemoryAddress()) {
            window.wrap(out.memoryAddress() + at, len);
            window.putBytes(0, bytes, off, len);
        } else if (out.hasArray()) {
            bytes.getBytes(off, out.array(), out.arrayOffset() + at, len);
        } else {
            byte[] copy = new byte[len];
            bytes.getBytes(off, copy);
            out.setBytes(at, copy);
        }
        out.writerIndex(at + len);
    }

    @Override
    public void bulk(byte[] bytes, int off, int len) {
        bulkHeader(len);
        out.ensureWritable(len + 2);
        out.writeBytes(bytes, off, len);
        out.writeBytes(CRLF);
    }

    @Override
    public void bulk(String utf8) {
        int len = ByteBufUtil.utf8Bytes(utf8);
        bulkHeader(len);
        out.ensureWritable(len + 2);
        ByteBufUtil.reserveAndWriteUtf8(out, utf8, len);
        out.writeBytes(CRLF);
    }

    @Override
    public void bulkLong(long value) {
        bulkHeader(Numbers.decimalLength(value));
        Numbers.writeLong(out, value);
        out.writeBytes(CRLF);
    }

    @Override
    public void nil() {
        if (protocol == 3) {
            out.writeByte('_').writeBytes(CRLF);
        } else {
            out.writeByte('$').writeByte('-').writeByte('1').writeBytes(CRLF);
        }
    }

    @Override
    public void nilArray() {
        if (protocol == 3) {
            out.writeByte('_').writeBytes(CRLF);
        } else {
            out.writeByte('*').writeByte('-').writeByte('1').writeBytes(CRLF);
        }
    }

    @Override
    public void array(int count) {
        header('*', count);
    }

    /** An out-of-band push (Pub/Sub): a {@code >} push in RESP3, a plain array in RESP2. */
    public void push(int count) {
        header(protocol == 3 ? '>' : '*', count);
    }

    @Override
    public void map(int count) {
        if (protocol == 3) {
            header('%', count);
        } else {
            header('*', 2L * count);
        }
    }

    @Override
    public void set(int count) {
        header(protocol == 3 ? '~' : '*', count);
    }

    @Override
    public void pairs(int count) {
        header('*', protocol == 3 ? count : 2L * count);
    }

    @Override
    public void pair() {
        if (protocol == 3) {
            header('*', 2);
        }
    }

    @Override
    public void doubleValue(double value) {
        String text = formatDouble(value);
        if (protocol == 3) {
            out.writeByte(',');
            out.writeCharSequence(text, java.nio.charset.StandardCharsets.US_ASCII);
            out.writeBytes(CRLF);
        } else {
            bulk(text);
        }
    }

    @Override
    public void doubleText(DirectBuffer text, int off, int len) {
        if (protocol != 3) {
            bulk(text, off, len);
            return;
        }
        out.ensureWritable(len + 3);
        out.writeByte(',');
        for (int i = 0; i < len; i++) {
            out.writeByte(text.getByte(off + i));
        }
        out.writeBytes(CRLF);
    }

    @Override
    public void bool(boolean value) {
        if (protocol == 3) {
            out.writeByte('#').writeByte(value ? 't' : 'f').writeBytes(CRLF);
        } else {
            out.writeByte(':').writeByte(value ? '1' : '0').writeBytes(CRLF);
        }
    }

    @Override
    public void verbatim(String text) {
        if (protocol != 3) {
            bulk(text);
            return;
        }
        int len = ByteBufUtil.utf8Bytes(text);
        header('=', len + 4L);
        out.ensureWritable(len + 6);
        out.writeByte('t').writeByte('x').writeByte('t').writeByte(':');
        ByteBufUtil.reserveAndWriteUtf8(out, text, len);
        out.writeBytes(CRLF);
    }

    private void bulkHeader(long len) {
        header('$', len);
    }

    private void header(char type, long count) {
        out.writeByte(type);
        Numbers.writeLong(out, count);
        out.writeBytes(CRLF);
    }

    /** Writes a status or error line: CR and LF become spaces so the text cannot break the framing. */
    private void writeLine(String text) {
        int n = text.length();
        out.ensureWritable(n + 2);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                ByteBufUtil.writeUtf8(out, text.substring(i).replace('\r', ' ').replace('\n', ' '));
                break;
            }
            out.writeByte(c == '\r' || c == '\n' ? ' ' : c);
        }
        out.writeBytes(CRLF);
    }

    /**
     * The shortest text that reads back as {@code d}: {@code 1.5}, {@code 3}, {@code -0}, {@code 1e+21},
     * {@code 1.2e-07}, {@code inf}, {@code -inf}, {@code nan}. Plain notation between 1e-5 and 1e17, as
     * Redis prints doubles.
     */
    public static String formatDouble(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return (Double.doubleToRawLongBits(d) < 0) ? "-0" : "0";
        }
        BigDecimal exact = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        double abs = Math.abs(d);
        if (abs >= 1e-5 && abs < 1e17) {
            return exact.toPlainString();
        }
        // Scientific: one digit, optional fraction, e, sign, at least two exponent digits.
        String digits = exact.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - exact.scale();
        StringBuilder sb = new StringBuilder(24);
        if (d < 0) {
            sb.append('-');
        }
        sb.append(digits.charAt(0));
        if (digits.length() > 1) {
            sb.append('.').append(digits, 1, digits.length());
        }
        sb.append('e').append(exponent < 0 ? '-' : '+');
        int e = Math.abs(exponent);
        if (e < 10) {
            sb.append('0');
        }
        sb.append(e);
        return sb.toString();
    }
}
