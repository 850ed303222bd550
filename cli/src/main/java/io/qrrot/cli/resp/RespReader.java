package io.qrrot.cli.resp;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes RESP2 and RESP3 replies from a (buffered) stream, one complete reply per {@link #read()}.
 * Not thread-safe.
 */
public final class RespReader {
    /** Redis' proto-max-bulk-len default; a larger length means the stream is not RESP. */
    static final long MAX_BULK = 512L * 1024 * 1024;
    static final long MAX_AGGREGATE = Integer.MAX_VALUE - 8;

    private final InputStream in;
    private final StringBuilder line = new StringBuilder(64);

    public RespReader(InputStream in) {
        this.in = in;
    }

    /** Reads the next reply; attributes ({@code |}) are read and dropped. */
    public Reply read() throws IOException {
        return read(false);
    }

    private Reply read(boolean nested) throws IOException {
        while (true) {
            int type = in.read();
            if (type < 0) {
                throw new EOFException(nested ? "connection closed by the server in the middle of a reply"
                        : "connection closed by the server");
            }
            switch (type) {
                case '+':
                    return new Reply.SimpleString(readLine());
                case '-':
                    return new Reply.ErrorReply(readLine());
                case ':':
                    return new Reply.IntegerReply(parseLong(readLine(), ':'));
                case '$': {
                    long len = parseLong(readLine(), '$');
                    return len < 0 ? Reply.NULL : new Reply.BulkString(readBlob(len));
                }
                case '!':
                    return new Reply.ErrorReply(new String(readBlob(parseLong(readLine(), '!')), StandardCharsets.UTF_8));
                case '=': {
                    String text = new String(readBlob(parseLong(readLine(), '=')), StandardCharsets.UTF_8);
                    if (text.length() < 4 || text.charAt(3) != ':') {
                        throw new RespException("protocol error: verbatim string without a format prefix: " + abbreviate(text));
                    }
                    return new Reply.VerbatimReply(text.substring(0, 3), text.substring(4));
                }
                case '*': {
                    long n = parseLong(readLine(), '*');
                    return n < 0 ? Reply.NULL : new Reply.ArrayReply(readElements(n));
                }
                case '~':
                    return new Reply.SetReply(readElements(parseLong(readLine(), '~')));
                case '>':
                    return new Reply.PushReply(readElements(parseLong(readLine(), '>')));
                case '%': {
                    long n = checkCount(parseLong(readLine(), '%'), '%');
                    List<Reply.Entry> entries = new ArrayList<>((int) Math.min(n, 1024));
                    for (long i = 0; i < n; i++) {
                        Reply key = read(true);
                        entries.add(new Reply.Entry(key, read(true)));
                    }
                    return new Reply.MapReply(entries);
                }
                case '|': {
                    long n = checkCount(parseLong(readLine(), '|'), '|');
                    for (long i = 0; i < 2 * n; i++) {
                        read(true);
                    }
                    continue; // the attribute precedes the real reply
                }
                case '_':
                    readLine();
                    return Reply.NULL;
                case ',':
                    return new Reply.DoubleReply(readLine());
                case '#': {
                    String b = readLine();
                    if (b.equals("t")) {
                        return new Reply.BooleanReply(true);
                    }
                    if (b.equals("f")) {
                        return new Reply.BooleanReply(false);
                    }
                    throw new RespException("protocol error: boolean must be 't' or 'f', got '" + abbreviate(b) + "'");
                }
                case '(': {
                    String digits = readLine();
                    if (!digits.matches("[+-]?[0-9]+")) {
                        throw new RespException("protocol error: big number is not decimal: " + abbreviate(digits));
                    }
                    return new Reply.BigNumberReply(digits);
                }
                default:
                    throw new RespException("protocol error: unexpected reply type byte 0x"
                            + Integer.toHexString(type) + " ('" + (char) type + "'); is this a RESP server?");
            }
        }
    }

    private List<Reply> readElements(long n) throws IOException {
        checkCount(n, '*');
        List<Reply> out = new ArrayList<>((int) Math.min(n, 1024));
        for (long i = 0; i < n; i++) {
            out.add(read(true));
        }
        return out;
    }

    private static long checkCount(long n, char type) throws RespException {
        if (n < 0 || n > MAX_AGGREGATE) {
            throw new RespException("protocol error: invalid element count " + n + " for '" + type + "'");
        }
        return n;
    }

    private byte[] readBlob(long len) throws IOException {
        if (len < 0 || len > MAX_BULK) {
            throw new RespException("protocol error: invalid bulk length " + len);
        }
        byte[] data = in.readNBytes((int) len);
        if (data.length != len) {
            throw new EOFException("connection closed by the server in the middle of a reply");
        }
        int cr = in.read();
        int lf = in.read();
        if (cr != '\r' || lf != '\n') {
            throw new RespException("protocol error: bulk string of " + len + " bytes not followed by CRLF");
        }
        return data;
    }

    private String readLine() throws IOException {
        line.setLength(0);
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("connection closed by the server in the middle of a reply");
            }
            if (c == '\r') {
                int lf = in.read();
                if (lf != '\n') {
                    throw new RespException("protocol error: CR not followed by LF");
                }
                // Status and error lines are ASCII/UTF-8 text; decode them as UTF-8.
                return decodeUtf8(line);
            }
            line.append((char) c);
            if (line.length() > 64 * 1024) {
                throw new RespException("protocol error: reply line longer than 64 KiB");
            }
        }
    }

    /** The line was collected byte-per-char; reassemble the bytes and decode them as UTF-8. */
    private static String decodeUtf8(StringBuilder latin1) {
        boolean ascii = true;
        for (int i = 0; i < latin1.length(); i++) {
            if (latin1.charAt(i) >= 0x80) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return latin1.toString();
        }
        return new String(latin1.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    private static long parseLong(String s, char type) throws RespException {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new RespException("protocol error: expected a number after '" + type + "', got '" + abbreviate(s) + "'");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
