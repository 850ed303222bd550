package io.qrrot.cli.resp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Encodes commands as RESP arrays of bulk strings (what every Redis server accepts). Not thread-safe. */
public final class RespWriter {
    private static final byte[] CRLF = {'\r', '\n'};

    private final OutputStream out;

    public RespWriter(OutputStream out) {
        this.out = out;
    }

    public void write(List<byte[]> args) throws IOException {
        header('*', args.size());
        for (byte[] arg : args) {
            header('$', arg.length);
            out.write(arg);
            out.write(CRLF);
        }
    }

    public void flush() throws IOException {
        out.flush();
    }

    private void header(char type, int n) throws IOException {
        out.write(type);
        out.write(Integer.toString(n).getBytes(StandardCharsets.US_ASCII));
        out.write(CRLF);
    }
}
