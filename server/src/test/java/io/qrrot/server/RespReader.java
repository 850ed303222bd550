package io.qrrot.server;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads exactly one RESP2/RESP3 reply from a stream and returns its raw bytes as an ISO-8859-1 string, so
 * tests can compare replies byte for byte ({@code "+OK\r\n"}, {@code "*2\r\n$1\r\na\r\n:1\r\n"}).
 */
final class RespReader {
    private final InputStream in;

    RespReader(InputStream in) {
        this.in = in;
    }

    String read() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        element(out);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private void element(ByteArrayOutputStream out) throws IOException {
        int type = next();
        out.write(type);
        String line = line(out);
        switch (type) {
            case '+', '-', ':', '_', ',', '#', '(' -> { }
            case '$', '=', '!' -> {
                long n = Long.parseLong(line);
                if (n >= 0) {
                    byte[] data = in.readNBytes((int) (n + 2));
                    if (data.length < n + 2) {
                        throw new EOFException("connection closed");
                    }
                    out.write(data, 0, data.length);
                }
            }
            case '*', '~', '>' -> {
                long n = Long.parseLong(line);
                for (long i = 0; i < n; i++) {
                    element(out);
                }
            }
            case '%', '|' -> {
                long n = Long.parseLong(line);
                for (long i = 0; i < 2 * n; i++) {
                    element(out);
                }
            }
            default -> throw new IOException("not a RESP type byte: '" + (char) type + "' (" + type + ")");
        }
    }

    private String line(ByteArrayOutputStream out) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = next();
            out.write(c);
            if (c == '\r') {
                int lf = next();
                out.write(lf);
                if (lf != '\n') {
                    throw new IOException("CR without LF");
                }
                return sb.toString();
            }
            sb.append((char) c);
        }
    }

    private int next() throws IOException {
        int c = in.read();
        if (c < 0) {
            throw new EOFException("connection closed");
        }
        return c;
    }
}
