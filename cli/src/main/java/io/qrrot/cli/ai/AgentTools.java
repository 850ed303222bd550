package io.qrrot.cli.ai;

import com.google.genai.types.FunctionDeclaration;
import com.google.genai.types.Schema;
import com.google.genai.types.Type;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The agent's tools: their declarations for the model, and their execution. Read tools run at once against
 * the {@link Store} (which watches what they read); {@code propose_writes} only turns the model's arguments
 * into a checked {@link Plan}. Not thread-safe; one per agent request.
 */
final class AgentTools {
    static final String PROPOSE = "propose_writes";
    /** The read tools, in the order they are declared to the model. */
    static final List<String> READ_TOOLS = List.of("get", "mget", "exists", "type", "ttl", "strlen", "json_get", "scan",
            "hash_get", "set_members", "set_contains", "zset_range", "list_range");
    static final int MAX_KEYS_PER_CALL = 100;
    static final int MAX_SCAN_BOUND = 200;
    static final int DEFAULT_SCAN_BOUND = 50;
    /** SCAN calls per scan tool call, each with COUNT {@link #SCAN_COUNT}: the keyspace is never walked whole. */
    static final int MAX_SCAN_CALLS = 10;
    static final int SCAN_COUNT = 1000;
    /** Fields or members named in one hash_get or set_contains call. */
    static final int MAX_ELEMENTS_PER_CALL = 100;
    /** Fields, members or elements listed by one hash_get, set_members, zset_range or list_range call. */
    static final int MAX_ELEMENT_BOUND = 200;
    static final int DEFAULT_ELEMENT_BOUND = 50;
    /**
     * HSCAN or SSCAN calls per listing, each with COUNT of the bound: a hash or set of millions of elements is
     * never read whole, not even into the CLI.
     */
    static final int MAX_ELEMENT_SCAN_CALLS = 10;

    private final Store store;
    private final AgentUi ui;
    private final Set<String> readKeys = new LinkedHashSet<>();

    AgentTools(Store store, AgentUi ui) {
        this.store = store;
        this.ui = ui;
    }

    /** The keys read so far: the plan's watch list. */
    List<String> readKeys() {
        return List.copyOf(readKeys);
    }

    static List<FunctionDeclaration> declarations() {
        Schema key = string("The exact key name.");
        Schema keys = Schema.builder().type(Type.Known.ARRAY).items(string("A key name."))
                .maxItems((long) MAX_KEYS_PER_CALL).description("Exact key names.").build();
        List<FunctionDeclaration> d = new ArrayList<>();
        d.add(read("get", "Returns the string value of a key (or that it does not exist). Long values are cut.",
                Map.of("key", key), List.of("key")));
        d.add(read("mget", "Returns the string values of several keys at once (at most " + MAX_KEYS_PER_CALL + ").",
                Map.of("keys", keys), List.of("keys")));
        d.add(read("exists", "Counts how many of the given keys exist.", Map.of("keys", keys), List.of("keys")));
        d.add(read("type", "Returns the type of a key's value: string, hash, list, set, zset (a sorted set), "
                + "ReJSON-RL (a JSON document), … or none.", Map.of("key", key), List.of("key")));
        d.add(read("ttl", "Returns a key's time to live in seconds: -1 means no expiry, -2 that the key does not exist.",
                Map.of("key", key), List.of("key")));
        d.add(read("strlen", "Returns the length in bytes of a key's string value.", Map.of("key", key),
                List.of("key")));
        Map<String, Schema> json = new LinkedHashMap<>();
        json.put("key", key);
        json.put("path", string("A JSONPath such as $.name; omit for the whole document."));
        d.add(read("json_get", "Returns the JSON document stored at a key, or the part at a path (JSON.GET).", json,
                List.of("key")));
        Map<String, Schema> scan = new LinkedHashMap<>();
        scan.put("pattern", string("A glob pattern such as user:* ; prefer specific patterns."));
        scan.put("bound", Schema.builder().type(Type.Known.INTEGER)
                .description("The most keys to return (default " + DEFAULT_SCAN_BOUND + ", at most " + MAX_SCAN_BOUND + ").")
                .build());
        scan.put("cursor", string("Continue a previous scan from the cursor it returned; omit to start."));
        d.add(read("scan", "Lists key names matching a pattern, a bounded number at a time. The database may hold "
                + "millions of keys: never try to list them all.", scan, List.of("pattern")));
        Map<String, Schema> hash = new LinkedHashMap<>();
        hash.put("key", key);
        hash.put("fields", Schema.builder().type(Type.Known.ARRAY).items(string("A field name."))
                .maxItems((long) MAX_ELEMENTS_PER_CALL)
                .description("The fields to read (at most " + MAX_ELEMENTS_PER_CALL + "); omit to list the hash.")
                .build());
        hash.put("bound", bound("fields"));
        d.add(read("hash_get", "Reads a hash. With fields: their values (HMGET). Without: how many fields the hash "
                + "has and a bounded number of its fields with their values, saying whether that is all of them. A "
                + "hash may hold millions of fields: when you know which fields you need, name them.", hash,
                List.of("key")));
        Map<String, Schema> set = new LinkedHashMap<>();
        set.put("key", key);
        set.put("bound", bound("members"));
        d.add(read("set_members", "Lists a set's members, a bounded number of them, with how many the set has and "
                + "whether that is all of them. A set may hold millions of members: to check given members, use "
                + "set_contains.", set, List.of("key")));
        Map<String, Schema> contains = new LinkedHashMap<>();
        contains.put("key", key);
        contains.put("members", Schema.builder().type(Type.Known.ARRAY).items(string("A member."))
                .maxItems((long) MAX_ELEMENTS_PER_CALL).description("The members to look for (at most "
                        + MAX_ELEMENTS_PER_CALL + ").").build());
        d.add(read("set_contains", "Says whether each of the given members is in the set at a key (SMISMEMBER).",
                contains, List.of("key", "members")));
        Map<String, Schema> zset = new LinkedHashMap<>();
        zset.put("key", key);
        zset.put("by", Schema.builder().type(Type.Known.STRING).enum_(List.of("rank", "score"))
                .description("rank (the default): members by their position, 0 the lowest score (with reverse, the "
                        + "highest); score: members whose score is between min and max.").build());
        zset.put("start", integer("by rank: the first rank (default 0; negative counts from the end, -1 the last)."));
        zset.put("stop", integer("by rank: the last rank, included (default -1, the end)."));
        zset.put("min", string("by score: the lowest score, included; (5 excludes 5; -inf for no limit (default)."));
        zset.put("max", string("by score: the highest score, included; (5 excludes 5; +inf for no limit (default)."));
        zset.put("offset", integer("by score: skip this many members of the range first (default 0), to page on."));
        zset.put("reverse", Schema.builder().type(Type.Known.BOOLEAN)
                .description("true: from the highest score down (a leaderboard's top).").build());
        zset.put("bound", bound("members"));
        d.add(read("zset_range", "Reads a sorted set (zset): members with their scores, in score order, a bounded "
                + "number of them, with how many the set has (and by score, how many are in the range) and whether "
                + "that is all of the range. A sorted set may hold millions of members: ask for the ranks or the "
                + "score range you need (the top 10: reverse with start 0 and stop 9).", zset, List.of("key")));
        Map<String, Schema> list = new LinkedHashMap<>();
        list.put("key", key);
        list.put("start", integer("The first index (default 0, the head; negative counts from the tail, -1 the "
                + "last)."));
        list.put("stop", integer("The last index, included (default -1, the tail)."));
        list.put("bound", bound("elements"));
        d.add(read("list_range", "Reads a list: its elements in order between two indexes (LRANGE), a bounded "
                + "number of them, with how many the list has, the index of the first one returned and whether that "
                + "is all of the range. A list may hold millions of elements: ask for the indexes you need (the "
                + "first 10: start 0 and stop 9; the last 10: start -10).", list, List.of("key")));
        d.add(proposeDeclaration());
        return d;
    }

    private static FunctionDeclaration proposeDeclaration() {
        Map<String, Schema> command = new LinkedHashMap<>();
        command.put("command", Schema.builder().type(Type.Known.STRING).enum_(WritePolicy.ALLOWED)
                .description("The command name.").build());
        command.put("args", Schema.builder().type(Type.Known.ARRAY).items(string("One argument."))
                .description("The arguments after the command name, e.g. [\"user:1\", \"ivan\", \"EX\", \"60\"].")
                .build());
        Schema commands = Schema.builder().type(Type.Known.ARRAY).maxItems((long) WritePolicy.MAX_COMMANDS)
                .items(Schema.builder().type(Type.Known.OBJECT).properties(command).required("command", "args").build())
                .description("The writes, in the order they should run.").build();
        Map<String, Schema> params = new LinkedHashMap<>();
        params.put("commands", commands);
        params.put("explanation", string("One or two sentences for the user: what these writes would do and why. "
                + "They have not run yet: do not say they did."));
        return FunctionDeclaration.builder().name(PROPOSE)
                .description("Proposes data writes to the user. Nothing is written by this call: the user reviews the "
                        + "exact commands and confirms; they then run as one transaction that aborts if any key you "
                        + "read has changed. Call it once, with every write the request needs.")
                .parameters(Schema.builder().type(Type.Known.OBJECT).properties(params).required("commands", "explanation"))
                .build();
    }

    private static FunctionDeclaration read(String name, String description, Map<String, Schema> props,
                                            List<String> required) {
        return FunctionDeclaration.builder().name(name).description(description)
                .parameters(Schema.builder().type(Type.Known.OBJECT).properties(props).required(required)).build();
    }

    private static Schema bound(String what) {
        return Schema.builder().type(Type.Known.INTEGER).description("The most " + what + " to return (default "
                + DEFAULT_ELEMENT_BOUND + ", at most " + MAX_ELEMENT_BOUND + ").").build();
    }

    private static Schema integer(String description) {
        return Schema.builder().type(Type.Known.INTEGER).description(description).build();
    }

    private static Schema string(String description) {
        return Schema.builder().type(Type.Known.STRING).description(description).build();
    }

    /** Whether {@code name} is a read tool. */
    static boolean isRead(String name) {
        return READ_TOOLS.contains(name);
    }

    /**
     * Runs a read tool.
     *
     * @return the response for the model: the result, or {@code {"error": …}} for bad arguments or a refused read
     * @throws IOException the database could not be reached (the agent stops)
     */
    Map<String, Object> runRead(String name, Map<String, Object> args, DataBudget budget) throws IOException {
        try {
            return switch (name) {
                case "get" -> get(Args.string(args, "key"), budget);
                case "mget" -> mget(Args.strings(args, "keys", MAX_KEYS_PER_CALL), budget);
                case "exists" -> exists(Args.strings(args, "keys", MAX_KEYS_PER_CALL));
                case "type" -> {
                    String k = watched(Args.string(args, "key"), "TYPE");
                    yield ordered("key", k, "type", store.type(k));
                }
                case "ttl" -> ttl(watched(Args.string(args, "key"), "TTL"));
                case "strlen" -> {
                    String k = watched(Args.string(args, "key"), "STRLEN");
                    yield ordered("key", k, "bytes", store.strlen(k));
                }
                case "json_get" -> jsonGet(Args.string(args, "key"), Args.optionalString(args, "path"), budget);
                case "scan" -> scan(Args.optionalString(args, "pattern"), Args.optionalInt(args, "bound"),
                        Args.optionalString(args, "cursor"), budget);
                case "hash_get" -> hashGet(Args.string(args, "key"),
                        Args.optionalStrings(args, "fields", MAX_ELEMENTS_PER_CALL, "field"),
                        Args.optionalInt(args, "bound"), budget);
                case "set_members" -> setMembers(Args.string(args, "key"), Args.optionalInt(args, "bound"), budget);
                case "set_contains" -> setContains(Args.string(args, "key"),
                        Args.strings(args, "members", MAX_ELEMENTS_PER_CALL, "member"));
                case "zset_range" -> zsetRange(args, budget);
                case "list_range" -> listRange(Args.string(args, "key"), Args.optionalInt(args, "start"),
                        Args.optionalInt(args, "stop"), Args.optionalInt(args, "bound"), budget);
                default -> throw new Args.BadArguments("unknown tool '" + name + "'");
            };
        } catch (Args.BadArguments e) {
            ui.progress(Shown.oneLine("refused " + name + ": " + e.getMessage()));
            return Map.of("error", e.getMessage());
        } catch (StoreException e) {
            return Map.of("error", "the database refused the read: " + e.getMessage());
        }
    }

    private String watched(String key, String command) {
        readKeys.add(key);
        ui.progress("read: " + command + " " + Plan.display(List.of(key)));
        return key;
    }

    private Map<String, Object> get(String key, DataBudget budget) throws StoreException, IOException {
        watched(key, "GET");
        return value(key, store.get(key), budget);
    }

    private Map<String, Object> mget(List<String> keys, DataBudget budget) throws StoreException, IOException {
        readKeys.addAll(keys);
        ui.progress("read: MGET " + Plan.display(keys));
        List<Optional<byte[]>> values = store.mget(keys);
        List<Object> out = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            out.add(value(keys.get(i), values.get(i), budget));
        }
        return Map.of("values", out);
    }

    private Map<String, Object> exists(List<String> keys) throws StoreException, IOException {
        readKeys.addAll(keys);
        ui.progress("read: EXISTS " + Plan.display(keys));
        return ordered("keys", keys, "existing", store.exists(keys));
    }

    private Map<String, Object> ttl(String key) throws StoreException, IOException {
        long ttl = store.ttl(key);
        String meaning = ttl == -2 ? "the key does not exist" : ttl == -1 ? "the key has no expiry"
                : "the key expires in " + ttl + " seconds";
        return ordered("key", key, "ttl_seconds", ttl, "meaning", meaning);
    }

    private Map<String, Object> jsonGet(String key, String path, DataBudget budget) throws StoreException, IOException {
        readKeys.add(key);
        ui.progress("read: JSON.GET " + Plan.display(path == null ? List.of(key) : List.of(key, path)));
        Optional<String> json = store.jsonGet(key, path);
        Map<String, Object> m = ordered("key", key);
        if (path != null) {
            m.put("path", path);
        }
        m.put("exists", json.isPresent());
        json.ifPresent(j -> m.put("json", budget.value(j.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        return m;
    }

    private Map<String, Object> scan(String pattern, Integer bound, String cursor, DataBudget budget)
            throws StoreException, IOException {
        String p = pattern == null || pattern.isEmpty() ? "*" : pattern;
        int max = bound == null ? DEFAULT_SCAN_BOUND : Math.max(1, Math.min(bound, MAX_SCAN_BOUND));
        String cur = cursor == null || cursor.isEmpty() ? "0" : cursor;
        ui.progress("read: SCAN " + Plan.display(List.of(cur)) + " MATCH " + Plan.display(List.of(p)) + " (at most "
                + max + " keys)");
        List<String> keys = new ArrayList<>();
        boolean cutMidPage = false;
        int calls = 0;
        do {
            Store.ScanPage page = store.scan(cur, p, SCAN_COUNT);
            calls++;
            cur = page.cursor();
            for (String k : page.keys()) {
                if (keys.size() >= max || !budget.take(k)) {
                    cutMidPage = true;
                    break;
                }
                keys.add(k);
            }
        } while (!cutMidPage && !cur.equals("0") && calls < MAX_SCAN_CALLS && keys.size() < max);
        Map<String, Object> m = ordered("pattern", p, "keys", keys, "returned", keys.size());
        if (cutMidPage) {
            m.put("complete", false);
            m.put("note", "more keys match than were returned (bound " + max
                    + "); use a more specific pattern, or work with these");
        } else if (!cur.equals("0")) {
            m.put("complete", false);
            m.put("cursor", cur);
            m.put("note", "stopped after " + calls + " scan steps of about " + SCAN_COUNT
                    + " keys each; call scan again with this cursor to continue");
        } else {
            m.put("complete", true);
        }
        return m;
    }

    /** Why a listing of a hash's fields or a set's members stopped before its end. */
    private enum Cut { BOUND, BUDGET, STEPS }

    private Map<String, Object> hashGet(String key, List<String> fields, Integer bound, DataBudget budget)
            throws StoreException, IOException {
        readKeys.add(key);
        if (fields != null) {
            List<String> shown = new ArrayList<>(fields.size() + 1);
            shown.add(key);
            shown.addAll(fields);
            ui.progress("read: HMGET " + Plan.display(shown));
            List<Optional<byte[]>> values = store.hmget(key, fields);
            List<Object> out = new ArrayList<>(fields.size());
            for (int i = 0; i < fields.size(); i++) {
                Optional<byte[]> v = values.get(i);
                Map<String, Object> m = ordered("field", fields.get(i), "exists", v.isPresent());
                v.ifPresent(b -> {
                    m.put("value", budget.value(b));
                    m.put("bytes", b.length);
                });
                out.add(m);
            }
            return ordered("key", key, "values", out);
        }
        int max = elementBound(bound);
        String k = Plan.display(List.of(key));
        ui.progress("read: HLEN " + k + ", HSCAN " + k + " (at most " + max + " fields)");
        long count = store.hlen(key);
        Map<String, Object> listed = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        Cut cut = null;
        String cur = "0";
        int calls = 0;
        if (count > 0) {
            do {
                Store.HashPage page = store.hscan(key, cur, max);
                calls++;
                cur = page.cursor();
                for (Store.FieldValue e : page.entries()) {
                    String f = new String(e.field(), StandardCharsets.UTF_8);
                    if (seen.contains(f)) {
                        continue; // HSCAN may return a field twice
                    }
                    cut = listingCut(seen.size(), max, budget);
                    if (cut != null) {
                        break;
                    }
                    seen.add(f);
                    listed.put(budget.value(e.field()), budget.value(e.value()));
                }
                if (cut == null && !cur.equals("0") && calls >= MAX_ELEMENT_SCAN_CALLS) {
                    cut = Cut.STEPS;
                }
            } while (cut == null && !cur.equals("0"));
        }
        Map<String, Object> m = ordered("key", key, "exists", count > 0, "field_count", count, "fields", listed,
                "returned", seen.size(), "complete", cut == null);
        if (cut != null) {
            m.put("note", listingNote(cut, "hash", "fields", count, seen.size(), max, calls, "HSCAN",
                    "read the fields you need with 'fields'"));
        }
        return m;
    }

    private Map<String, Object> setMembers(String key, Integer bound, DataBudget budget)
            throws StoreException, IOException {
        readKeys.add(key);
        int max = elementBound(bound);
        String k = Plan.display(List.of(key));
        ui.progress("read: SCARD " + k + ", SSCAN " + k + " (at most " + max + " members)");
        long count = store.scard(key);
        List<String> listed = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Cut cut = null;
        String cur = "0";
        int calls = 0;
        if (count > 0) {
            do {
                Store.SetPage page = store.sscan(key, cur, max);
                calls++;
                cur = page.cursor();
                for (byte[] member : page.members()) {
                    String s = new String(member, StandardCharsets.UTF_8);
                    if (seen.contains(s)) {
                        continue; // SSCAN may return a member twice
                    }
                    cut = listingCut(seen.size(), max, budget);
                    if (cut != null) {
                        break;
                    }
                    seen.add(s);
                    listed.add(budget.value(member));
                }
                if (cut == null && !cur.equals("0") && calls >= MAX_ELEMENT_SCAN_CALLS) {
                    cut = Cut.STEPS;
                }
            } while (cut == null && !cur.equals("0"));
        }
        Map<String, Object> m = ordered("key", key, "exists", count > 0, "member_count", count, "members", listed,
                "returned", listed.size(), "complete", cut == null);
        if (cut != null) {
            m.put("note", listingNote(cut, "set", "members", count, listed.size(), max, calls, "SSCAN",
                    "check the members you need with set_contains"));
        }
        return m;
    }

    private Map<String, Object> setContains(String key, List<String> members) throws StoreException, IOException {
        readKeys.add(key);
        List<String> shown = new ArrayList<>(members.size() + 1);
        shown.add(key);
        shown.addAll(members);
        ui.progress("read: SMISMEMBER " + Plan.display(shown));
        List<Boolean> in = store.smismember(key, members);
        Map<String, Object> answers = new LinkedHashMap<>();
        for (int i = 0; i < members.size(); i++) {
            answers.put(members.get(i), in.get(i));
        }
        return ordered("key", key, "members", answers);
    }

    /**
     * zset_range: ZCARD, then one ZRANGE … WITHSCORES of at most the bound: by rank, the ranks asked for cut to
     * the bound; by score, ZCOUNT of the range and a LIMIT of the bound. Members and scores count against the
     * step's data budget.
     */
    private Map<String, Object> zsetRange(Map<String, Object> args, DataBudget budget)
            throws Args.BadArguments, StoreException, IOException {
        String key = Args.string(args, "key");
        String by = Args.optionalString(args, "by");
        Integer start = Args.optionalInt(args, "start");
        Integer stop = Args.optionalInt(args, "stop");
        String min = Args.optionalString(args, "min");
        String max = Args.optionalString(args, "max");
        Integer offset = Args.optionalInt(args, "offset");
        boolean reverse = Boolean.TRUE.equals(Args.optionalBoolean(args, "reverse"));
        boolean rankGiven = start != null || stop != null;
        boolean scoreGiven = min != null || max != null || offset != null;
        if (rankGiven && scoreGiven) {
            throw new Args.BadArguments("give either ranks (start, stop) or a score range (min, max, offset), not "
                    + "both");
        }
        if (by == null || by.isBlank()) {
            by = scoreGiven && !rankGiven ? "score" : "rank";
        }
        by = by.strip().toLowerCase(java.util.Locale.ROOT);
        if (!by.equals("rank") && !by.equals("score")) {
            throw new Args.BadArguments("'by' must be rank or score, got '" + by + "'");
        }
        boolean byScore = by.equals("score");
        if (byScore && rankGiven) {
            throw new Args.BadArguments("start and stop are ranks: with by score, give min and max");
        }
        if (!byScore && scoreGiven) {
            throw new Args.BadArguments("min, max and offset are for by score: with by rank, give start and stop");
        }
        if (offset != null && offset < 0) {
            throw new Args.BadArguments("'offset' must be at least 0, got " + offset);
        }
        int bound = elementBound(Args.optionalInt(args, "bound"));
        readKeys.add(key);
        String k = Plan.display(List.of(key));
        long count;
        Map<String, Object> m = ordered("key", key);
        List<String> range = new ArrayList<>();
        long inRange;
        int skip = offset == null ? 0 : offset;
        if (byScore) {
            String lo = min == null || min.isBlank() ? "-inf" : min.strip();
            String hi = max == null || max.isBlank() ? "+inf" : max.strip();
            // ZRANGE … BYSCORE REV takes the range from its high end.
            range.addAll(reverse ? List.of(hi, lo, "BYSCORE", "REV") : List.of(lo, hi, "BYSCORE"));
            range.addAll(List.of("LIMIT", Integer.toString(skip), Integer.toString(bound)));
            ui.progress("read: ZCARD " + k + ", ZCOUNT " + Plan.display(List.of(key, lo, hi)) + ", ZRANGE "
                    + Plan.display(CommandStore.prefixed(key, range)) + " WITHSCORES");
            count = store.zcard(key);
            inRange = count == 0 ? 0 : store.zcount(key, lo, hi);
            m.put("exists", count > 0);
            m.put("member_count", count);
            m.put("by", "score");
            m.put("min", lo);
            m.put("max", hi);
            if (skip > 0) {
                m.put("offset", skip);
            }
            m.put("in_range", inRange);
        } else {
            int from = start == null ? 0 : start;
            int to = stop == null ? -1 : stop;
            ui.progress("read: ZCARD " + k + ", ZRANGE " + k + " " + from + " " + to + (reverse ? " REV" : "")
                    + " WITHSCORES (at most " + bound + " members)");
            count = store.zcard(key);
            // Ranks as ZRANGE reads them: negative from the end, then clamped to the set.
            long first = from < 0 ? Math.max(0, count + from) : from;
            long last = to < 0 ? count + to : Math.min(to, count - 1);
            inRange = first > last || first >= count ? 0 : last - first + 1;
            range.addAll(List.of(Long.toString(first), Long.toString(first + Math.min(inRange, bound) - 1)));
            if (reverse) {
                range.add("REV");
            }
            m.put("exists", count > 0);
            m.put("member_count", count);
            m.put("by", "rank");
            m.put("start", from);
            m.put("stop", to);
            m.put("in_range", inRange);
            skip = 0;
        }
        m.put("reverse", reverse);
        List<Object> listed = new ArrayList<>();
        Cut cut = null;
        if (inRange > skip) {
            for (Store.ScoredMember e : store.zrange(key, range)) {
                cut = listingCut(listed.size(), bound, budget);
                if (cut != null) {
                    break;
                }
                budget.take(e.score());
                listed.add(ordered("member", budget.value(e.member()), "score", e.score()));
            }
        }
        long wanted = Math.max(0, inRange - skip);
        if (cut == null && listed.size() < wanted && listed.size() >= bound) {
            cut = Cut.BOUND;
        }
        m.put("members", listed);
        m.put("returned", listed.size());
        m.put("complete", cut == null);
        if (cut != null) {
            String head = "the range holds " + wanted + " members" + (skip > 0 ? " after the offset" : "") + "; "
                    + listed.size() + " are shown";
            String next = byScore ? "page on with offset " + (skip + listed.size()) + ", or narrow min and max"
                    : "read the next ranks from " + (Long.parseLong(range.get(0)) + listed.size())
                    + ", or a narrower range";
            m.put("note", cut == Cut.BOUND ? head + " (bound " + bound + "); " + next
                    : head + ": this step's data budget is used up; " + next + " in a later step");
        }
        return m;
    }

    /**
     * list_range: LLEN, then one LRANGE of at most the bound: the indexes asked for, read as LRANGE reads them
     * (negative from the tail, then clamped to the list), cut to the bound. Elements count against the step's
     * data budget.
     */
    private Map<String, Object> listRange(String key, Integer start, Integer stop, Integer bound, DataBudget budget)
            throws StoreException, IOException {
        int max = elementBound(bound);
        int from = start == null ? 0 : start;
        int to = stop == null ? -1 : stop;
        readKeys.add(key);
        String k = Plan.display(List.of(key));
        ui.progress("read: LLEN " + k + ", LRANGE " + k + " " + from + " " + to + " (at most " + max
                + " elements)");
        long length = store.llen(key);
        long first = from < 0 ? Math.max(0, length + from) : from;
        long last = to < 0 ? length + to : Math.min(to, length - 1);
        long inRange = first > last || first >= length ? 0 : last - first + 1;
        Map<String, Object> m = ordered("key", key, "exists", length > 0, "length", length, "start", from,
                "stop", to, "in_range", inRange);
        List<String> listed = new ArrayList<>();
        Cut cut = null;
        if (inRange > 0) {
            m.put("first_index", first);
            for (byte[] e : store.lrange(key, first, first + Math.min(inRange, max) - 1)) {
                cut = listingCut(listed.size(), max, budget);
                if (cut != null) {
                    break;
                }
                listed.add(budget.value(e));
            }
        }
        if (cut == null && listed.size() < inRange && listed.size() >= max) {
            cut = Cut.BOUND;
        }
        m.put("elements", listed);
        m.put("returned", listed.size());
        m.put("complete", cut == null);
        if (cut != null) {
            String head = "the range holds " + inRange + " elements; " + listed.size() + " are shown";
            String next = "read the next indexes from " + (first + listed.size()) + ", or a narrower range";
            m.put("note", cut == Cut.BOUND ? head + " (bound " + max + "); " + next
                    : head + ": this step's data budget is used up; " + next + " in a later step");
        }
        return m;
    }

    private static int elementBound(Integer bound) {
        return bound == null ? DEFAULT_ELEMENT_BOUND : Math.max(1, Math.min(bound, MAX_ELEMENT_BOUND));
    }

    /** Whether a listing holding {@code listed} elements must stop before taking one more; null when it may go on. */
    private static Cut listingCut(int listed, int max, DataBudget budget) {
        if (listed >= max) {
            return Cut.BOUND;
        }
        return budget.exhausted() ? Cut.BUDGET : null;
    }

    private static String listingNote(Cut cut, String kind, String elements, long count, int returned, int max,
                                      int calls, String command, String instead) {
        String head = "the " + kind + " has " + count + " " + elements + "; " + returned + " are shown";
        return switch (cut) {
            case BOUND -> head + " (bound " + max + "); " + instead;
            case BUDGET -> head + ": this step's data budget is used up; " + instead + ", or read less per step";
            case STEPS -> head + ", after " + calls + " " + command + " steps; " + instead;
        };
    }

    private static Map<String, Object> value(String key, Optional<byte[]> v, DataBudget budget) {
        Map<String, Object> m = ordered("key", key, "exists", v.isPresent());
        v.ifPresent(b -> {
            m.put("value", budget.value(b));
            m.put("bytes", b.length);
        });
        return m;
    }

    /**
     * Turns {@code propose_writes} arguments into a plan.
     *
     * @throws Args.BadArguments malformed arguments or a command the policy refuses: the message says why
     */
    Plan proposal(Map<String, Object> args) throws Args.BadArguments {
        Object raw = args.get("commands");
        if (!(raw instanceof List<?> list)) {
            throw new Args.BadArguments("'commands' must be an array of {command, args}");
        }
        List<List<String>> commands = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> c) || !(c.get("command") instanceof String name)) {
                throw new Args.BadArguments("each command must be an object with a 'command' name and 'args'");
            }
            List<String> cmd = new ArrayList<>();
            cmd.add(name);
            Object a = c.get("args");
            if (a != null && !(a instanceof List<?>)) {
                throw new Args.BadArguments("'args' of " + name + " must be an array of strings");
            }
            if (a != null) {
                for (Object x : (List<?>) a) {
                    cmd.add(Args.scalar(x, "args of " + name));
                }
            }
            commands.add(cmd);
        }
        List<String> problems = WritePolicy.check(commands);
        if (!problems.isEmpty()) {
            throw new Args.BadArguments(String.join("; ", problems));
        }
        for (List<String> c : commands) {
            // Checked: a single word naming an allowed command, in any case.
            c.set(0, c.get(0).strip().toUpperCase(java.util.Locale.ROOT));
        }
        Object why = args.get("explanation");
        return new Plan(commands, readKeys(), why instanceof String s ? s : "");
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
