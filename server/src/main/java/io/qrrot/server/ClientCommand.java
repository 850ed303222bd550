package io.qrrot.server;

import io.qrrot.engine.CommandArgs;
import io.qrrot.server.resp.RespEncoder;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/** CLIENT ID | SETNAME | GETNAME | SETINFO | LIST | INFO | KILL | HELP, with Redis' texts and formats. */
final class ClientCommand {
    private ClientCommand() {
    }

    static void run(ClientConnection c, RespEncoder r, CommandArgs a) {
        int n = a.count();
        if (a.is(1, "ID")) {
            if (arity(r, n, 2, "client|id")) {
                r.integer(c.id);
            }
        } else if (a.is(1, "SETNAME")) {
            if (arity(r, n, 3, "client|setname")) {
                String name = a.string(2);
                String err = validateName(name);
                if (err != null) {
                    r.error(err);
                } else {
                    c.name = name;
                    r.simple("OK");
                }
            }
        } else if (a.is(1, "GETNAME")) {
            if (arity(r, n, 2, "client|getname")) {
                if (c.name.isEmpty()) {
                    r.nil();
                } else {
                    r.bulk(c.name);
                }
            }
        } else if (a.is(1, "SETINFO")) {
            if (arity(r, n, 4, "client|setinfo")) {
                setInfo(c, r, a);
            }
        } else if (a.is(1, "LIST")) {
            list(c, r, a);
        } else if (a.is(1, "INFO")) {
            if (arity(r, n, 2, "client|info")) {
                r.verbatim(describe(c, c) + "\n");
            }
        } else if (a.is(1, "UNBLOCK")) {
            if (n != 3 && n != 4) {
                r.error(Errors.wrongArity("client|unblock"));
            } else {
                unblock(c, r, a, n);
            }
        } else if (a.is(1, "KILL")) {
            if (n < 3) {
                r.error(Errors.wrongArity("client|kill"));
            } else {
                kill(c, r, a);
            }
        } else if (a.is(1, "HELP") && n == 2) {
            CommandReplies.help(r, "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "ID", "    Return the ID of the current connection.",
                    "GETNAME", "    Return the name of the current connection.",
                    "SETNAME <name>", "    Assign the name <name> to the current connection.",
                    "SETINFO <LIB-NAME|LIB-VER> <value>", "    Record the client library's name or version.",
                    "INFO", "    Return information about the current client connection.",
                    "LIST [TYPE normal|master|replica|pubsub] [ID <id> [<id> ...]]", "    Return information about client connections.",
                    "KILL <ip:port>", "    Kill connection made from <ip:port>.",
                    "KILL <option> <value> [<option> <value> [...]]",
                    "    Kill connections. Options are: ID <client-id>, ADDR <ip:port>, LADDR <ip:port>,",
                    "    TYPE normal|master|replica|pubsub, USER <username>, SKIPME yes|no, MAXAGE <seconds>.",
                    "HELP", "    Print this help.");
        } else {
            r.error(Errors.unknownSubcommand(a));
        }
    }

    /** CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 when that client was blocked in a blocking pop and now is not. */
    private static void unblock(ClientConnection c, RespEncoder r, CommandArgs a, int n) {
        long id;
        try {
            id = Long.parseLong(a.string(2));
        } catch (NumberFormatException e) {
            r.error("ERR value is not an integer or out of range");
            return;
        }
        boolean error = false;
        if (n == 4) {
            if (a.is(3, "ERROR")) {
                error = true;
            } else if (!a.is(3, "TIMEOUT")) {
                r.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
                return;
            }
        }
        ClientConnection target = c.server.clients.get(id);
        r.integer(target != null && target.unblockByClient(error) ? 1 : 0);
    }

    private static boolean arity(RespEncoder r, int n, int want, String fullName) {
        if (n != want) {
            r.error(Errors.wrongArity(fullName));
            return false;
        }
        return true;
    }

    /** Null when {@code name} is acceptable (printable ASCII without spaces; empty clears), else the error. */
    static String validateName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch < '!' || ch > '~') {
                return "ERR Client names cannot contain spaces, newlines or special characters.";
            }
        }
        return null;
    }

    private static void setInfo(ClientConnection c, RespEncoder r, CommandArgs a) {
        String value = a.string(3);
        boolean libName = a.is(2, "LIB-NAME");
        if (!libName && !a.is(2, "LIB-VER")) {
            r.error("ERR Unrecognized option '" + a.string(2) + "'");
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch < '!' || ch > '~') {
                r.error("ERR " + (libName ? "lib-name" : "lib-ver")
                        + " cannot contain spaces, newlines or special characters.");
                return;
            }
        }
        if (libName) {
            c.libName = value;
        } else {
            c.libVersion = value;
        }
        r.simple("OK");
    }

    private static void list(ClientConnection c, RespEncoder r, CommandArgs a) {
        List<Long> ids = null;
        boolean noneOfType = false;
        for (int i = 2; i < a.count(); i++) {
            if (a.is(i, "TYPE") && i + 1 < a.count()) {
                String type = a.string(++i).toLowerCase(java.util.Locale.ROOT);
                switch (type) {
                    case "normal" -> { }
                    case "master", "replica", "slave", "pubsub" -> noneOfType = true;
                    default -> {
                        r.error("ERR Unknown client type '" + type + "'");
                        return;
                    }
                }
            } else if (a.is(i, "ID") && i + 1 < a.count()) {
                ids = new ArrayList<>();
                for (i++; i < a.count(); i++) {
                    long id = CommandReplies.parseLong(a, i);
                    if (id <= 0) {
                        r.error("ERR Invalid client ID");
                        return;
                    }
                    ids.add(id);
                }
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        }
        StringBuilder sb = new StringBuilder();
        if (!noneOfType) {
            List<ClientConnection> all = new ArrayList<>(c.server.clients.values());
            all.sort((x, y) -> Long.compare(x.id, y.id));
            for (ClientConnection other : all) {
                if (ids == null || ids.contains(other.id)) {
                    sb.append(describe(c, other)).append('\n');
                }
            }
        }
        r.verbatim(sb.toString());
    }

    /** One CLIENT LIST line, Redis' field order; values of other connections may be a moment stale. */
    static String describe(ClientConnection self, ClientConnection o) {
        long now = System.currentTimeMillis();
        boolean mine = self == o;
        long qbuf = mine ? o.queryBufferBytes() : 0;
        long omem = mine ? o.unsentBytes() : o.unsentSnapshot;
        long argv = o.requestMemorySnapshot;
        long multi = o.multiMemorySnapshot;
        PubSub.Client ps = o.pubsub;
        int sub = ps == null ? 0 : ps.channelCount;
        int psub = ps == null ? 0 : ps.patternCount;
        return "id=" + o.id
                + " addr=" + address(o.channel.remoteAddress())
                + " laddr=" + address(o.channel.localAddress())
                + " fd=-1"
                + " name=" + o.name
                + " age=" + (now - o.createdMillis) / 1000
                + " idle=" + Math.max(0, now - o.lastInteractionMillis) / 1000
                + " flags=" + (sub + psub > 0 ? "P" : o.server.blocking.isBlocked(o) ? "b" : "N") + " db=0 sub=" + sub + " psub=" + psub + " ssub=0 multi=-1"
                + " qbuf=" + qbuf + " qbuf-free=0 argv-mem=" + argv + " multi-mem=" + multi + " rbs=0 rbp=0 obl=0"
                + " oll=" + (mine ? o.heldChunks() : 0)
                + " omem=" + omem + " tot-mem=" + (qbuf + argv + multi + omem)
                + " events=r cmd=" + o.lastCommand
                + " user=default redir=-1 resp=" + (mine ? o.reply.protocol() : o.protocolSnapshot)
                + " lib-name=" + o.libName + " lib-ver=" + o.libVersion;
    }

    static String address(SocketAddress a) {
        if (a instanceof InetSocketAddress in) {
            String host = in.getAddress() == null ? in.getHostString() : in.getAddress().getHostAddress();
            return host + ":" + in.getPort();
        }
        return String.valueOf(a);
    }

    private static void kill(ClientConnection c, RespEncoder r, CommandArgs a) {
        if (a.count() == 3) {
            String addr = a.string(2);
            for (ClientConnection o : c.server.clients.values()) {
                if (address(o.channel.remoteAddress()).equals(addr)) {
                    kill(c, o);
                    r.simple("OK");
                    return;
                }
            }
            r.error("ERR No such client");
            return;
        }
        if ((a.count() - 2) % 2 != 0) {
            r.error(Errors.SYNTAX);
            return;
        }
        long id = 0;
        String addr = null;
        String laddr = null;
        String user = null;
        long maxAge = 0;
        boolean skipMe = true;
        boolean typeNone = false;
        for (int i = 2; i < a.count(); i += 2) {
            String v = a.string(i + 1);
            if (a.is(i, "ID")) {
                id = CommandReplies.parseLong(a, i + 1);
                if (id <= 0) {
                    r.error("ERR client-id should be greater than 0");
                    return;
                }
            } else if (a.is(i, "ADDR")) {
                addr = v;
            } else if (a.is(i, "LADDR")) {
                laddr = v;
            } else if (a.is(i, "USER")) {
                user = v;
            } else if (a.is(i, "TYPE")) {
                switch (v.toLowerCase(java.util.Locale.ROOT)) {
                    case "normal" -> { }
                    case "master", "replica", "slave", "pubsub" -> typeNone = true;
                    default -> {
                        r.error("ERR Unknown client type '" + v + "'");
                        return;
                    }
                }
            } else if (a.is(i, "SKIPME")) {
                if (v.equalsIgnoreCase("yes")) {
                    skipMe = true;
                } else if (v.equalsIgnoreCase("no")) {
                    skipMe = false;
                } else {
                    r.error(Errors.SYNTAX);
                    return;
                }
            } else if (a.is(i, "MAXAGE")) {
                maxAge = CommandReplies.parseLong(a, i + 1);
                if (maxAge == Long.MIN_VALUE) {
                    r.error(Errors.NOT_INTEGER);
                    return;
                }
            } else {
                r.error(Errors.SYNTAX);
                return;
            }
        }
        if (user != null && !user.equals("default")) {
            r.error("ERR No such user '" + user + "'");
            return;
        }
        int killed = 0;
        if (!typeNone) {
            long now = System.currentTimeMillis();
            for (ClientConnection o : c.server.clients.values()) {
                if ((id != 0 && o.id != id)
                        || (addr != null && !address(o.channel.remoteAddress()).equals(addr))
                        || (laddr != null && !address(o.channel.localAddress()).equals(laddr))
                        || (maxAge > 0 && (now - o.createdMillis) / 1000 < maxAge)
                        || (skipMe && o == c)) {
                    continue;
                }
                kill(c, o);
                killed++;
            }
        }
        r.integer(killed);
    }

    private static void kill(ClientConnection self, ClientConnection o) {
        if (o == self) {
            self.closeAfterReply = true;
        } else {
            o.channel.close();
        }
    }
}
