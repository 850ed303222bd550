package io.qrrot.engine;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A minimal RESP2 client for differential tests; replies decode into TreeSink's value shapes. */
final class RespClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RespClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    Object call(String... args) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String a : args) {
            byte[] x = a.getBytes(StandardCharsets.ISO_8859_1);
            b.write(("$" + x.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.write(x);
            b.write('\r');
            b.write('\n');
        }
        out.write(b.toByteArray());
        out.flush();
        return read();
    }

    private Object read() throws IOException {
        int type = in.read();
        String line = line();
        switch (type) {
            case '+':
                return new TreeSink.Status(line);
            case '-':
                return new TreeSink.Err(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                byte[] x = in.readNBytes(n);
                in.read();
                in.read();
                return new String(x, StandardCharsets.ISO_8859_1);
            }
            case '*': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return TreeSink.NIL_ARRAY;
                }
                List<Object> l = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    l.add(read());
                }
                return l;
            }
            default:
                throw new IOException("unexpected RESP type " + type + " " + line);
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            b.write(c);
        }
        in.read();
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
