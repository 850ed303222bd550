import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A memcached text-protocol load generator: the same client for memcached and qrrot.
 *
 * <pre>
 *   java bench/scripts/McLoad.java HOST PORT TEST CONNECTIONS PIPELINE SECONDS KEYSPACE VALUE_BYTES
 *     TEST: set | get | mix (9 get : 1 set, drawn per request) | load (sets every key once, then exits)
 * </pre>
 *
 * One thread per connection, blocking sockets. Each thread writes PIPELINE requests in one write, then reads
 * their PIPELINE responses, and repeats until SECONDS have passed. Keys are "key:" plus a zero-padded number below
 * KEYSPACE (16 bytes), drawn uniformly; values are VALUE_BYTES of 'x' with flags 0 and no expiry. Every response is
 * parsed and checked (STORED for set; VALUE ... END or END for get), so a server that answers wrongly stops the run.
 * Prints one line: "TEST ops_per_s OPS SECONDS get_hits get_misses".
 */
public final class McLoad {
  public static void main(String[] args) throws Exception {
    if (args.length != 8) {
      System.err.println("usage: McLoad HOST PORT set|get|mix|load CONNECTIONS PIPELINE SECONDS KEYSPACE VALUE_BYTES");
      System.exit(2);
    }
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    String test = args[2];
    int conns = Integer.parseInt(args[3]);
    int pipeline = Integer.parseInt(args[4]);
    double seconds = Double.parseDouble(args[5]);
    int keyspace = Integer.parseInt(args[6]);
    int valueBytes = Integer.parseInt(args[7]);
    if (test.equals("load")) {
      load(host, port, conns, keyspace, valueBytes);
      return;
    }
    int getPercent = switch (test) {
      case "set" -> 0;
      case "get" -> 100;
      case "mix" -> 90;
      default -> throw new IllegalArgumentException("unknown test " + test);
    };
    LongAdder ops = new LongAdder();
    LongAdder hits = new LongAdder();
    LongAdder misses = new LongAdder();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch ready = new CountDownLatch(conns);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    for (int c = 0; c < conns; c++) {
      long seed = 0x9E3779B97F4A7C15L * (c + 1);
      Thread t = new Thread(() -> {
        try (Worker w = new Worker(host, port, valueBytes)) {
          SplittableRandom rnd = new SplittableRandom(seed);
          ready.countDown();
          go.await();
          boolean[] isGet = new boolean[pipeline];
          while (!stop.get()) {
            for (int i = 0; i < pipeline; i++) {
              int key = rnd.nextInt(keyspace);
              isGet[i] = getPercent == 100 || (getPercent > 0 && rnd.nextInt(100) < getPercent);
              if (isGet[i]) w.get(key); else w.set(key);
            }
            w.flush();
            for (int i = 0; i < pipeline; i++) {
              if (isGet[i]) {
                if (w.readGet()) hits.increment(); else misses.increment();
              } else {
                w.readStored();
              }
            }
            ops.add(pipeline);
          }
        } catch (Throwable e) {
          synchronized (failures) { failures.add(e); }
          ready.countDown();
          stop.set(true);
        }
      }, "mcload-" + c);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    ready.await();
    long start = System.nanoTime();
    go.countDown();
    Thread.sleep((long) (seconds * 1000));
    long doneOps = ops.sum();
    long end = System.nanoTime();
    stop.set(true);
    for (Thread t : threads) t.join(10_000);
    if (!failures.isEmpty()) {
      System.err.println("McLoad: " + failures.size() + " connection(s) failed; first: " + failures.get(0));
      System.exit(1);
    }
    double elapsed = (end - start) / 1e9;
    System.out.printf("%s %.0f %d %.3f %d %d%n", test, doneOps / elapsed, doneOps, elapsed, hits.sum(), misses.sum());
  }

  /** Sets every key of the keyspace once, the keyspace split across the connections, pipelined 64 deep. */
  private static void load(String host, int port, int conns, int keyspace, int valueBytes) throws Exception {
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    for (int c = 0; c < conns; c++) {
      int first = c;
      Thread t = new Thread(() -> {
        try (Worker w = new Worker(host, port, valueBytes)) {
          int pending = 0;
          for (int k = first; k < keyspace; k += conns) {
            w.set(k);
            if (++pending == 64) {
              w.flush();
              for (; pending > 0; pending--) w.readStored();
            }
          }
          w.flush();
          for (; pending > 0; pending--) w.readStored();
        } catch (Throwable e) {
          synchronized (failures) { failures.add(e); }
        }
      });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) t.join();
    if (!failures.isEmpty()) {
      System.err.println("McLoad: loading failed: " + failures.get(0));
      System.exit(1);
    }
    System.out.println("load " + keyspace);
  }

  private static final class Worker implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final byte[] value;
    private final byte[] setTail;
    private final byte[] buf = new byte[1 << 16];
    private int len;
    private final byte[] line = new byte[1024];
    private final byte[] scratch = new byte[1 << 16];

    Worker(String host, int port, int valueBytes) throws IOException {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), 5000);
      socket.setSoTimeout(30_000);
      out = socket.getOutputStream();
      in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
      value = "x".repeat(valueBytes).getBytes(StandardCharsets.US_ASCII);
      setTail = (" 0 0 " + valueBytes + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private void put(byte[] b) throws IOException {
      if (len + b.length > buf.length) flush();
      System.arraycopy(b, 0, buf, len, b.length);
      len += b.length;
    }

    private void putKey(int key) throws IOException {
      if (len + 16 > buf.length) flush();
      buf[len++] = 'k'; buf[len++] = 'e'; buf[len++] = 'y'; buf[len++] = ':';
      for (int i = 11; i >= 0; i--) {
        buf[len + i] = (byte) ('0' + key % 10);
        key /= 10;
      }
      len += 12;
    }

    private static final byte[] GET = "get ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SET = "set ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CRLF = "\r\n".getBytes(StandardCharsets.US_ASCII);

    void get(int key) throws IOException { put(GET); putKey(key); put(CRLF); }

    void set(int key) throws IOException { put(SET); putKey(key); put(setTail); put(value); put(CRLF); }

    void flush() throws IOException {
      out.write(buf, 0, len);
      len = 0;
    }

    /** Reads one line without its CRLF into {@link #line}; returns its length. */
    private int readLine() throws IOException {
      int n = 0;
      while (true) {
        int b = in.read();
        if (b < 0) throw new IOException("connection closed by the server");
        if (b == '\n') {
          if (n == 0 || line[n - 1] != '\r') throw new IOException("line without CR");
          return n - 1;
        }
        if (n == line.length) throw new IOException("line too long");
        line[n++] = (byte) b;
      }
    }

    private String lineText(int n) { return new String(line, 0, n, StandardCharsets.US_ASCII); }

    void readStored() throws IOException {
      int n = readLine();
      if (n != 6 || line[0] != 'S' || line[1] != 'T' || line[5] != 'D') {
        throw new IOException("set answered: " + lineText(n));
      }
    }

    /** Reads a get's answer; true on a hit. */
    boolean readGet() throws IOException {
      int n = readLine();
      if (n == 3 && line[0] == 'E' && line[1] == 'N' && line[2] == 'D') return false;
      if (n < 6 || line[0] != 'V' || line[1] != 'A') throw new IOException("get answered: " + lineText(n));
      int bytes = 0;
      int i = n - 1;
      while (i >= 0 && line[i] != ' ') i--;
      for (int j = i + 1; j < n; j++) bytes = bytes * 10 + (line[j] - '0');
      // read, not skip: BufferedInputStream.skip on an empty buffer goes to the socket with a fresh array each time
      for (int left = bytes + 2; left > 0; ) {
        int r = in.read(scratch, 0, Math.min(left, scratch.length));
        if (r < 0) throw new IOException("connection closed inside a value");
        left -= r;
      }
      n = readLine();
      if (n != 3 || line[0] != 'E') throw new IOException("get's value not followed by END: " + lineText(n));
      return true;
    }

    @Override
    public void close() throws IOException { socket.close(); }
  }
}
