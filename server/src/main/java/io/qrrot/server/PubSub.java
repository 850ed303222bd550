package io.qrrot.server;

import io.qrrot.engine.CommandArgs;
import io.qrrot.server.resp.RespEncoder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Publish/subscribe as Redis 7.0 has it: the server-wide registries of channels and patterns with their
 * subscribers, and the SUBSCRIBE family, PUBLISH and PUBSUB. Messages are not durable and never touch the
 * database: PUBLISH encodes each message once per protocol and hands it to every subscriber on the
 * subscriber's own event loop ({@link ClientConnection#deliver}), so neither the publisher nor any loop waits
 * for a slow subscriber; a subscriber whose unsent output passes the pubsub output-buffer limit is closed.
 *
 * <p>Channel names and patterns are kept as Latin-1 strings (one char per byte: binary-safe, and what
 * {@link Glob} matches). The registries are thread-safe; each connection's own {@link Client} is confined to
 * its event loop except for the two counts CLIENT LIST reads.
 */
final class PubSub {
    private final ConcurrentHashMap<String, Set<ClientConnection>> channels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<ClientConnection>> patterns = new ConcurrentHashMap<>();

    /** One connection's subscriptions, in the order it made them. */
    static final class Client {
        final LinkedHashSet<String> channels = new LinkedHashSet<>();
        final LinkedHashSet<String> patterns = new LinkedHashSet<>();
        volatile int channelCount;
        volatile int patternCount;

        int total() {
            return channels.size() + patterns.size();
        }

        private void counted() {
            channelCount = channels.size();
            patternCount = patterns.size();
        }
    }

    /**
     * A message encoded as RESP2 and as RESP3 (a push); subscribers pick the one of their protocol. {@code key}
     * is the channel or pattern it was sent for: a subscriber that dropped that subscription before the message
     * reached its loop does not get it.
     */
    record Message(String key, boolean pattern, byte[] resp2, byte[] resp3) {
        byte[] bytes(int protocol) {
            return protocol == 3 ? resp3 : resp2;
        }

        boolean wantedBy(Client c) {
            return c != null && (pattern ? c.patterns.contains(key) : c.channels.contains(key));
        }
    }

    // ---------------------------------------------------------------- registries

    private static void add(ConcurrentHashMap<String, Set<ClientConnection>> map, String key, ClientConnection c) {
        map.compute(key, (k, set) -> {
            Set<ClientConnection> s = set != null ? set : ConcurrentHashMap.newKeySet();
            s.add(c);
            return s;
        });
    }

    private static void remove(ConcurrentHashMap<String, Set<ClientConnection>> map, String key,
            ClientConnection c) {
        map.computeIfPresent(key, (k, set) -> {
            set.remove(c);
            return set.isEmpty() ? null : set;
        });
    }

    /** Drops every subscription of {@code c} (RESET, connection closed). Runs on the connection's loop. */
    void dropAll(ClientConnection c) {
        Client s = c.pubsub;
        if (s == null) {
            return;
        }
        for (String ch : s.channels) {
            remove(channels, ch, c);
        }
        for (String p : s.patterns) {
            remove(patterns, p, c);
        }
        s.channels.clear();
        s.patterns.clear();
        s.counted();
        c.pubsub = null;
    }

    /** Channels with at least one subscriber (INFO's {@code pubsub_channels}). */
    int channelCount() {
        return channels.size();
    }

    /** Patterns with at least one subscriber (INFO's {@code pubsub_patterns}, PUBSUB NUMPAT). */
    int patternCount() {
        return patterns.size();
    }

    /** True when {@code c} has any subscription (Redis' subscribed mode in RESP2). */
    static boolean subscribed(ClientConnection c) {
        return c.pubsub != null && c.pubsub.total() > 0;
    }

    // ---------------------------------------------------------------- commands

    static void run(ServerCommand cmd, ClientConnection c, RespEncoder r, CommandArgs a) {
        PubSub ps = c.server.pubsub;
        switch (cmd) {
            case SUBSCRIBE -> ps.subscribe(c, r, a, false);
            case PSUBSCRIBE -> ps.subscribe(c, r, a, true);
            case UNSUBSCRIBE -> ps.unsubscribe(c, r, a, false);
            case PUNSUBSCRIBE -> ps.unsubscribe(c, r, a, true);
            case PUBLISH -> r.integer(ps.publish(c, a.bytes(1), a.bytes(2)));
            case PUBSUB -> ps.pubsub(r, a);
            default -> throw new IllegalStateException("not a pubsub command: " + cmd);
        }
    }

    private void subscribe(ClientConnection c, RespEncoder r, CommandArgs a, boolean pattern) {
        Client s = c.pubsub;
        if (s == null) {
            s = new Client();
            c.pubsub = s;
        }
        for (int i = 1; i < a.count(); i++) {
            String name = latin1(a.bytes(i));
            if (pattern) {
                if (s.patterns.add(name)) {
                    add(patterns, name, c);
                }
            } else if (s.channels.add(name)) {
                add(channels, name, c);
            }
            s.counted();
            confirm(r, pattern ? "psubscribe" : "subscribe", name, s.total());
        }
    }

    private void unsubscribe(ClientConnection c, RespEncoder r, CommandArgs a, boolean pattern) {
        Client s = c.pubsub;
        String kind = pattern ? "punsubscribe" : "unsubscribe";
        List<String> names = new ArrayList<>();
        if (a.count() > 1) {
            for (int i = 1; i < a.count(); i++) {
                names.add(latin1(a.bytes(i)));
            }
        } else if (s != null) {
            names.addAll(pattern ? s.patterns : s.channels);
        }
        if (names.isEmpty()) {
            confirm(r, kind, null, s == null ? 0 : s.total());
            return;
        }
        for (String name : names) {
            if (s != null) {
                if (pattern ? s.patterns.remove(name) : s.channels.remove(name)) {
                    remove(pattern ? patterns : channels, name, c);
                }
                s.counted();
            }
            confirm(r, kind, name, s == null ? 0 : s.total());
        }
    }

    private static void confirm(RespEncoder r, String kind, String name, int count) {
        r.push(3);
        r.bulk(kind);
        if (name == null) {
            r.nil();
        } else {
            byte[] b = name.getBytes(StandardCharsets.ISO_8859_1);
            r.bulk(b, 0, b.length);
        }
        r.integer(count);
    }

    /** Sends the message to every subscriber of the channel and of each matching pattern; returns how many. */
    int publish(ClientConnection from, byte[] channel, byte[] message) {
        String name = latin1(channel);
        int receivers = 0;
        Set<ClientConnection> direct = channels.get(name);
        if (direct != null && !direct.isEmpty()) {
            Message m = new Message(name, false, encode(false, "message", null, channel, message),
                    encode(true, "message", null, channel, message));
            for (ClientConnection sub : direct) {
                sub.deliverFrom(m);
                receivers++;
            }
        }
        for (Map.Entry<String, Set<ClientConnection>> e : patterns.entrySet()) {
            if (e.getValue().isEmpty() || !Glob.matches(e.getKey(), name, false)) {
                continue;
            }
            byte[] p = e.getKey().getBytes(StandardCharsets.ISO_8859_1);
            Message m = new Message(e.getKey(), true, encode(false, "pmessage", p, channel, message),
                    encode(true, "pmessage", p, channel, message));
            for (ClientConnection sub : e.getValue()) {
                sub.deliverFrom(m);
                receivers++;
            }
        }
        return receivers;
    }

    private static byte[] encode(boolean push, String kind, byte[] pattern, byte[] channel, byte[] message) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(32 + channel.length + message.length);
        header(o, push ? '>' : '*', pattern == null ? 3 : 4);
        bulk(o, kind.getBytes(StandardCharsets.US_ASCII));
        if (pattern != null) {
            bulk(o, pattern);
        }
        bulk(o, channel);
        bulk(o, message);
        return o.toByteArray();
    }

    private static void header(ByteArrayOutputStream o, char type, long n) {
        o.write(type);
        o.writeBytes(Long.toString(n).getBytes(StandardCharsets.US_ASCII));
        o.write('\r');
        o.write('\n');
    }

    private static void bulk(ByteArrayOutputStream o, byte[] b) {
        header(o, '$', b.length);
        o.writeBytes(b);
        o.write('\r');
        o.write('\n');
    }

    private void pubsub(RespEncoder r, CommandArgs a) {
        if (a.is(1, "CHANNELS") && (a.count() == 2 || a.count() == 3)) {
            String pattern = a.count() == 3 ? latin1(a.bytes(2)) : null;
            List<byte[]> found = new ArrayList<>();
            for (Map.Entry<String, Set<ClientConnection>> e : channels.entrySet()) {
                if (!e.getValue().isEmpty() && (pattern == null || Glob.matches(pattern, e.getKey(), false))) {
                    found.add(e.getKey().getBytes(StandardCharsets.ISO_8859_1));
                }
            }
            r.array(found.size());
            for (byte[] b : found) {
                r.bulk(b, 0, b.length);
            }
        } else if (a.is(1, "NUMSUB")) {
            r.array(2 * (a.count() - 2));
            for (int i = 2; i < a.count(); i++) {
                r.bulk(a.array(), a.offset(i), a.length(i));
                Set<ClientConnection> s = channels.get(latin1(a.bytes(i)));
                r.integer(s == null ? 0 : s.size());
            }
        } else if (a.is(1, "NUMPAT")) {
            if (a.count() != 2) {
                r.error(Errors.wrongArity("pubsub|numpat"));
                return;
            }
            r.integer(patternCount());
        } else if (a.is(1, "HELP") && a.count() == 2) {
            CommandReplies.help(r, "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "CHANNELS [<pattern>]",
                    "    Return the currently active channels matching a <pattern> (default: '*').",
                    "NUMPAT",
                    "    Return number of subscriptions to patterns.",
                    "NUMSUB [<channel> ...]",
                    "    Return the number of subscribers for the specified channels, excluding",
                    "    pattern subscriptions(default: no channels).",
                    "HELP",
                    "    Prints this help.");
        } else if (a.is(1, "CHANNELS") || a.is(1, "HELP")) {
            r.error("ERR unknown subcommand or wrong number of arguments for '" + a.string(1)
                    + "'. Try PUBSUB HELP.");
        } else {
            r.error(Errors.unknownSubcommand(a));
        }
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
