import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One failover of a replicated group, timed from the client's side: finds the leader (INFO replication says
 * role:master, the highest raft_term wins), writes through it until a write is acknowledged, kills its process
 * with SIGKILL, then writes again, following MOVED and waiting out CLUSTERDOWN/TRYAGAIN/refused connections,
 * until a write is acknowledged through the new leader. Prints: killed=<name> failover_ms=<ms> new=<host:port>.
 *
 *   java FailoverProbe.java host:port=pid host:port=pid host:port=pid
 */
public final class FailoverProbe {
    public static void main(String[] args) throws Exception {
        String[] addr = new String[args.length];
        long[] pid = new long[args.length];
        for (int i = 0; i < args.length; i++) {
            String[] kv = args[i].split("=");
            addr[i] = kv[0];
            pid[i] = Long.parseLong(kv[1]);
        }
        int leader = -1;
        long best = -1;
        for (int i = 0; i < addr.length; i++) {
            try {
                String info = call(addr[i], 2000, "INFO", "replication");
                long term = field(info, "raft_term");
                if (info.contains("role:master") && term > best) {
                    leader = i;
                    best = term;
                }
            } catch (IOException e) {
                // down
            }
        }
        if (leader < 0) {
            throw new IllegalStateException("no leader");
        }
        String reply = call(addr[leader], 5000, "SET", "probe", "before");
        if (!reply.equals("OK")) {
            throw new IllegalStateException("SET through the leader answered " + reply);
        }
        long t0 = System.nanoTime();
        ProcessHandle.of(pid[leader]).orElseThrow().destroyForcibly();
        String target = addr[(leader + 1) % addr.length];
        long attempts = 0;
        while (true) {
            attempts++;
            try {
                String r = call(target, 1000, "SET", "probe", "after");
                if (r.equals("OK")) {
                    System.out.printf("killed=%s failover_ms=%d new=%s attempts=%d%n", addr[leader],
                            (System.nanoTime() - t0) / 1_000_000, target, attempts);
                    return;
                }
                if (r.startsWith("MOVED ")) {
                    target = r.substring(r.lastIndexOf(' ') + 1);
                    continue;
                }
            } catch (IOException e) {
                target = addr[(int) ((leader + 1 + attempts) % addr.length)];
                if (target.equals(addr[leader])) {
                    target = addr[(leader + 1) % addr.length];
                }
            }
            Thread.sleep(10);
        }
    }

    static long field(String info, String name) {
        for (String line : info.split("\r\n")) {
            if (line.startsWith(name + ":")) {
                return Long.parseLong(line.substring(name.length() + 1).trim());
            }
        }
        return -1;
    }

    /** One command over a new connection; a simple string, error (without '-') or bulk string as text. */
    static String call(String address, int timeoutMillis, String... cmd) throws IOException {
        int colon = address.lastIndexOf(':');
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))),
                    timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            StringBuilder sb = new StringBuilder("*" + cmd.length + "\r\n");
            for (String c : cmd) {
                sb.append('$').append(c.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(c).append("\r\n");
            }
            OutputStream out = s.getOutputStream();
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = new BufferedInputStream(s.getInputStream());
            String line = line(in);
            switch (line.charAt(0)) {
                case '+', '-' -> {
                    return line.substring(1);
                }
                case '$' -> {
                    int n = Integer.parseInt(line.substring(1));
                    if (n < 0) {
                        return null;
                    }
                    byte[] b = in.readNBytes(n + 2);
                    return new String(b, 0, n, StandardCharsets.UTF_8);
                }
                default -> {
                    return line;
                }
            }
        }
    }

    static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\r') {
                in.read();
                return sb.toString();
            }
            sb.append((char) c);
        }
        throw new IOException("connection closed");
    }
}
