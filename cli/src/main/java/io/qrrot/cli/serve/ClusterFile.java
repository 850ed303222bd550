package io.qrrot.cli.serve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code --cluster-config} file: one {@code option value} per line, the options {@code serve --cluster}
 * takes, without their dashes; {@code #} starts a comment. {@code peer name=host:port[@raftport]} lines add
 * up to the {@code peers} list, one member a line.
 *
 * <pre>
 * # n1.conf
 * node-id n1
 * peer n1=127.0.0.1:7001
 * peer n2=127.0.0.2:7001
 * peer n3=127.0.0.3:7001
 * election-timeout 1000
 * </pre>
 */
final class ClusterFile {
    private static final Set<String> KEYS = Set.of("node-id", "peers", "peer", "election-timeout", "leader-lease",
            "cluster-name");

    private ClusterFile() {
    }

    static Map<String, String> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Map<String, String> out = new LinkedHashMap<>();
        StringBuilder peers = new StringBuilder();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            int hash = line.indexOf('#');
            String l = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (l.isEmpty()) {
                continue;
            }
            String[] kv = l.split("\\s+", 2);
            if (kv.length < 2 || !KEYS.contains(kv[0])) {
                throw new IllegalArgumentException(file + " line " + (n + 1) + ": expected 'option value' with option one"
                        + " of " + String.join(", ", new java.util.TreeSet<>(KEYS)) + ", not '" + l + "'");
            }
            if (kv[0].equals("peer") || kv[0].equals("peers")) {
                peers.append(peers.length() == 0 ? "" : ",").append(kv[1].trim());
            } else {
                out.put(kv[0], kv[1].trim());
            }
        }
        if (peers.length() > 0) {
            out.put("peers", peers.toString());
        }
        return out;
    }

    static long number(Map<String, String> file, String key) {
        try {
            return Long.parseLong(file.get(key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " in the cluster config must be a number, not '" + file.get(key)
                    + "'");
        }
    }
}
