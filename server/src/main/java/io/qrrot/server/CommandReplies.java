package io.qrrot.server;

import io.qrrot.engine.CommandArgs;
import io.qrrot.engine.CommandSpec;
import io.qrrot.engine.CommandSpec.Flag;
import io.qrrot.server.resp.Numbers;
import io.qrrot.server.resp.RespEncoder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** COMMAND, COMMAND COUNT | INFO | DOCS | LIST | HELP, in Redis 7's reply shapes, from the command table. */
final class CommandReplies {
    private CommandReplies() {
    }

    static void command(ServerContext s, RespEncoder r, CommandArgs a) {
        CommandTable t = s.commands;
        if (a.count() == 1) {
            r.array(t.all().size());
            for (CommandTable.Entry e : t.all()) {
                info(r, e);
            }
        } else if (a.is(1, "COUNT")) {
            if (a.count() != 2) {
                r.error(Errors.wrongArity("command|count"));
                return;
            }
            r.integer(t.all().size());
        } else if (a.is(1, "INFO")) {
            if (a.count() == 2) {
                r.array(t.all().size());
                for (CommandTable.Entry e : t.all()) {
                    info(r, e);
                }
                return;
            }
            r.array(a.count() - 2);
            for (int i = 2; i < a.count(); i++) {
                CommandTable.Entry e = t.lookup(a.string(i));
                if (e == null) {
                    r.nil();
                } else {
                    info(r, e);
                }
            }
        } else if (a.is(1, "DOCS")) {
            List<CommandTable.Entry> list = new ArrayList<>();
            if (a.count() == 2) {
                list.addAll(t.all());
            } else {
                for (int i = 2; i < a.count(); i++) {
                    CommandTable.Entry e = t.lookup(a.string(i));
                    if (e != null) {
                        list.add(e);
                    }
                }
            }
            r.map(list.size());
            for (CommandTable.Entry e : list) {
                r.bulk(e.lowerName());
                docs(r, e.spec());
            }
        } else if (a.is(1, "LIST")) {
            String pattern = null;
            if (a.count() == 5 && a.is(2, "FILTERBY") && a.is(3, "PATTERN")) {
                pattern = a.string(4);
            } else if (a.count() != 2) {
                r.error(Errors.SYNTAX);
                return;
            }
            List<String> names = new ArrayList<>();
            for (CommandTable.Entry e : t.all()) {
                if (pattern == null || Glob.matches(pattern, e.lowerName(), true)) {
                    names.add(e.lowerName());
                }
            }
            r.array(names.size());
            for (String n : names) {
                r.bulk(n);
            }
        } else if (a.is(1, "HELP") && a.count() == 2) {
            help(r, "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "(no subcommand)", "    Return details about all commands.",
                    "COUNT", "    Return the total number of commands in this server.",
                    "LIST [FILTERBY PATTERN <pattern>]", "    Return a list of all commands in this server.",
                    "INFO [<command-name> ...]", "    Return details about multiple commands.",
                    "DOCS [<command-name> ...]", "    Return documentation details about multiple commands.",
                    "HELP", "    Print this help.");
        } else {
            r.error(Errors.unknownSubcommand(a));
        }
    }

    /** One COMMAND INFO entry: name, arity, flags, first key, last key, step, ACL categories, tips, key specs, subcommands. */
    private static void info(RespEncoder r, CommandTable.Entry e) {
        CommandSpec s = e.spec();
        r.array(10);
        r.bulk(e.lowerName());
        r.integer(s.arity());
        List<String> flags = flags(s);
        r.set(flags.size());
        for (String f : flags) {
            r.simple(f);
        }
        r.integer(s.firstKey());
        r.integer(s.lastKey());
        r.integer(s.keyStep());
        Set<String> acl = aclCategories(s);
        r.set(acl.size());
        for (String c : acl) {
            r.simple(c);
        }
        r.array(0);
        if (s.firstKey() > 0) {
            r.array(1);
            r.map(3);
            r.bulk("flags");
            if (s.is(Flag.WRITE)) {
                r.set(2);
                r.simple("RW");
                r.simple("update");
            } else if (s.is(Flag.READONLY)) {
                r.set(2);
                r.simple("RO");
                r.simple("access");
            } else {
                r.set(0);
            }
            r.bulk("begin_search");
            r.map(2);
            r.bulk("type");
            r.bulk("index");
            r.bulk("spec");
            r.map(1);
            r.bulk("index");
            r.integer(s.firstKey());
            r.bulk("find_keys");
            r.map(2);
            r.bulk("type");
            r.bulk("range");
            r.bulk("spec");
            r.map(3);
            r.bulk("lastkey");
            r.integer(s.lastKey() >= 0 ? s.lastKey() - s.firstKey() : s.lastKey());
            r.bulk("keystep");
            r.integer(s.keyStep());
            r.bulk("limit");
            r.integer(0);
        } else {
            r.array(0);
        }
        r.array(0);
    }

    private static List<String> flags(CommandSpec s) {
        List<String> f = new ArrayList<>();
        if (s.is(Flag.WRITE)) {
            f.add("write");
        }
        if (s.is(Flag.READONLY)) {
            f.add("readonly");
        }
        if (s.is(Flag.DENYOOM)) {
            f.add("denyoom");
        }
        if (s.is(Flag.ADMIN)) {
            f.add("admin");
        }
        if (s.is(Flag.NO_MULTI)) {
            f.add("no_multi");
        }
        if (s.is(Flag.NO_AUTH)) {
            f.add("no_auth");
        }
        if (s.is(Flag.FAST)) {
            f.add("fast");
        }
        return f;
    }

    private static Set<String> aclCategories(CommandSpec s) {
        Set<String> c = new LinkedHashSet<>();
        if (s.is(Flag.WRITE)) {
            c.add("@write");
        }
        if (s.is(Flag.READONLY)) {
            c.add("@read");
        }
        String group = s.group() == null ? "" : s.group();
        switch (group) {
            case "generic" -> c.add("@keyspace");
            case "transactions" -> c.add("@transaction");
            case "connection", "string", "list", "hash", "set", "sortedset", "bitmap", "hyperloglog", "geo",
                    "stream", "pubsub", "scripting" -> c.add("@" + group);
            default -> { }
        }
        if (s.is(Flag.ADMIN)) {
            c.add("@admin");
            c.add("@dangerous");
        }
        c.add(s.is(Flag.FAST) ? "@fast" : "@slow");
        return c;
    }

    /** COMMAND DOCS entry: summary, since, group and (when the table has a syntax) one argument holding it. */
    private static void docs(RespEncoder r, CommandSpec s) {
        boolean hasArgs = s.syntax() != null && !s.syntax().isBlank();
        r.map(hasArgs ? 4 : 3);
        r.bulk("summary");
        r.bulk(s.summary() == null ? "" : s.summary());
        r.bulk("since");
        r.bulk("0.1.0");
        r.bulk("group");
        r.bulk(s.group() == null ? "generic" : s.group());
        if (hasArgs) {
            // redis-cli builds its hints from the argument names; one argument carrying the whole syntax
            // shows the same text without modelling every argument.
            r.bulk("arguments");
            r.array(1);
            r.map(2);
            r.bulk("name");
            r.bulk(s.syntax());
            r.bulk("type");
            r.bulk("string");
        }
    }

    /** A HELP reply: the title line then the given lines, as status strings. */
    static void help(RespEncoder r, String title, String... lines) {
        r.array(lines.length + 1);
        r.simple(title);
        for (String l : lines) {
            r.simple(l);
        }
    }

    /** Argument {@code i} as a Redis integer, or Long.MIN_VALUE when it is not one. */
    static long parseLong(CommandArgs a, int i) {
        return Numbers.parseLong(a.array(), a.offset(i), a.length(i));
    }
}
