package io.qrrot.cli.cluster;

import io.qrrot.cli.resp.Reply;
import io.qrrot.cli.resp.RespConfig;
import io.qrrot.cli.resp.RespConnection;
import io.qrrot.cli.resp.RespException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A replicated group as {@code qrrot cluster status} reads it: the member list from one node's
 * {@code CLUSTER NODES}, then each member's own {@code INFO replication} and {@code INFO persistence}, and the
 * followers' positions from the leader's {@code INFO replication} ({@code slaveN:ip=…,port=…,offset=…}).
 */
final class GroupStatus {

    /** One member: what the group says about it, and what it says itself (null fields when it did not answer). */
    static final class Member {
        final String id;
        final String host;
        final int port;
        Map<String, String> replication;
        Map<String, String> persistence;
        String problem;
        /** The last index the leader knows this member holds; -1 when the leader did not say. */
        long offset = -1;

        Member(String id, String host, int port) {
            this.id = id;
            this.host = host;
            this.port = port;
        }

        boolean reachable() {
            return replication != null;
        }

        String address() {
            return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
        }

        String name() {
            return reachable() ? replication.getOrDefault("raft_node", "?") : "?";
        }

        boolean leads() {
            return reachable() && "master".equals(replication.get("role"));
        }

        long number(String field) {
            try {
                return Long.parseLong(replication.getOrDefault(field, "-1"));
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    private final String seenFrom;
    private final List<Member> members;
    private final Member leader;

    private GroupStatus(String seenFrom, List<Member> members, Member leader) {
        this.seenFrom = seenFrom;
        this.members = members;
        this.leader = leader;
    }

    /**
     * Reads the group through the server {@code config} names.
     *
     * @throws RespException that server cannot be reached, or is not a member of a replicated group
     */
    static GroupStatus read(RespConfig config) throws RespException {
        List<Member> members;
        try (RespConnection first = RespConnection.open(config)) {
            Reply nodes = first.call("CLUSTER", "NODES");
            if (nodes instanceof Reply.ErrorReply e) {
                throw new RespException(config.address() + " is not a member of a replicated group (CLUSTER NODES: "
                        + e.message() + ")");
            }
            members = parseNodes(text(nodes));
            if (members.isEmpty()) {
                throw new RespException(config.address() + " named no members in CLUSTER NODES");
            }
        }
        for (Member m : members) {
            try (RespConnection c = RespConnection.open(config.withAddress(m.host, m.port))) {
                Reply repl = c.call("INFO", "replication");
                Reply pers = c.call("INFO", "persistence");
                if (repl.isError()) {
                    m.problem = m.address() + " answered INFO replication with " + ((Reply.ErrorReply) repl).message();
                    continue;
                }
                m.replication = parseInfo(text(repl));
                m.persistence = pers.isError() ? Map.of() : parseInfo(text(pers));
            } catch (RespException e) {
                m.problem = e.getMessage();
            }
        }
        Member leader = null;
        for (Member m : members) {
            if (m.leads() && (leader == null || m.number("raft_term") > leader.number("raft_term"))) {
                leader = m;
            }
        }
        if (leader != null) {
            for (Map.Entry<String, String> e : leader.replication.entrySet()) {
                if (e.getKey().matches("slave\\d+")) {
                    Map<String, String> f = parseFields(e.getValue());
                    for (Member m : members) {
                        if (m.host.equals(f.get("ip")) && Integer.toString(m.port).equals(f.get("port"))) {
                            try {
                                m.offset = Long.parseLong(f.getOrDefault("offset", "-1"));
                            } catch (NumberFormatException ex) {
                                m.offset = -1;
                            }
                        }
                    }
                }
            }
        }
        return new GroupStatus(config.address(), members, leader);
    }

    /** A leader is known and every member answered. */
    boolean healthy() {
        return leader != null && members.stream().allMatch(Member::reachable);
    }

    String render() {
        StringBuilder sb = new StringBuilder();
        long term = leader != null ? leader.number("raft_term")
                : members.stream().filter(Member::reachable).mapToLong(m -> m.number("raft_term")).max().orElse(-1);
        long commit = leader != null ? leader.number("raft_commit_index") : -1;
        sb.append("group of ").append(members.size()).append(" members, as seen from ").append(seenFrom).append('\n');
        sb.append("leader:    ").append(leader == null ? "none known" : leader.name() + " at " + leader.address())
                .append('\n');
        sb.append("term:      ").append(term < 0 ? "unknown" : Long.toString(term)).append('\n');
        sb.append("commit:    ").append(commit < 0 ? "unknown" : Long.toString(commit)).append('\n');
        sb.append(snapshots());
        sb.append('\n');
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "ADDRESS", "ROLE", "STATE", "APPLIED", "LAG", "ID"});
        for (Member m : members) {
            String role = m.reachable() ? (m.leads() ? "leader" : "follower") : leader != null ? "follower" : "unknown";
            long applied = m.reachable() ? m.number("raft_applied_index") : -1;
            String lag = m == leader || leader == null || m.offset < 0 ? "-" : Long.toString(Math.max(0, commit - m.offset));
            rows.add(new String[] {m.name(), m.address(), role, m.reachable() ? "reachable" : "unreachable",
                    applied < 0 ? "-" : Long.toString(applied), lag, m.id});
        }
        sb.append(table(rows)).append('\n');
        long down = members.stream().filter(m -> !m.reachable()).count();
        if (healthy()) {
            sb.append("status: ok (a leader, all ").append(members.size()).append(" members reachable)\n");
        } else {
            List<String> why = new ArrayList<>();
            if (leader == null) {
                why.add("no leader known");
            }
            if (down > 0) {
                why.add(down + " of " + members.size() + " members unreachable");
            }
            sb.append("status: ").append(String.join(", ", why)).append('\n');
            for (Member m : members) {
                if (m.problem != null) {
                    sb.append("  ").append(m.problem).append('\n');
                }
            }
        }
        return sb.toString();
    }

    /** The members' snapshot fields (INFO persistence fields naming a snapshot), or "none yet". */
    private String snapshots() {
        StringBuilder sb = new StringBuilder();
        for (Member m : members) {
            if (m.persistence == null) {
                continue;
            }
            List<String> fields = new ArrayList<>();
            for (Map.Entry<String, String> e : m.persistence.entrySet()) {
                if (e.getKey().contains("snapshot")) {
                    fields.add(e.getKey() + "=" + e.getValue());
                }
            }
            if (!fields.isEmpty()) {
                sb.append("  ").append(m.name()).append(": ").append(String.join(" ", fields)).append('\n');
            }
        }
        return sb.length() == 0 ? "snapshots: none yet\n" : "snapshots:\n" + sb;
    }

    private static String table(List<String[]> rows) {
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(r[i]);
                if (i < r.length - 1) {
                    line.append(" ".repeat(width[i] - r[i].length() + 2));
                }
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    /** {@code <id> <host:port@raftport> <flags> …} lines, in the order given. */
    static List<Member> parseNodes(String text) {
        List<Member> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] w = line.strip().split(" ");
            if (w.length < 2 || w[0].isEmpty()) {
                continue;
            }
            String addr = w[1];
            int at = addr.indexOf('@');
            if (at >= 0) {
                addr = addr.substring(0, at);
            }
            int colon = addr.lastIndexOf(':');
            if (colon < 0) {
                continue;
            }
            String host = addr.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                out.add(new Member(w[0], host, Integer.parseInt(addr.substring(colon + 1))));
            } catch (NumberFormatException e) {
                // not a node line
            }
        }
        return out;
    }

    /** {@code key:value} lines; {@code # Section} lines and blank lines skipped. */
    static Map<String, String> parseInfo(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (line.startsWith("#") || colon <= 0) {
                continue;
            }
            out.put(line.substring(0, colon), line.substring(colon + 1).strip());
        }
        return out;
    }

    /** {@code a=1,b=2}. */
    static Map<String, String> parseFields(String value) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String part : value.split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return out;
    }

    private static String text(Reply r) throws RespException {
        if (r instanceof Reply.BulkString b) {
            return b.utf8();
        }
        if (r instanceof Reply.VerbatimReply v) {
            return v.text();
        }
        if (r instanceof Reply.SimpleString s) {
            return s.value();
        }
        throw new RespException("unexpected reply: " + r);
    }
}
