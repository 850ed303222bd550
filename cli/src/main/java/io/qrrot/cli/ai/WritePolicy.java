package io.qrrot.cli.ai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which writes the agent may propose, and the check every proposed command passes before the user even sees
 * it. Only data commands on named keys: no administrative command, no pattern-wide deletion, no scripting.
 * The same list is the {@code enum} of the {@code propose_writes} tool's schema, so the model is told and
 * then checked.
 */
public final class WritePolicy {
    /**
     * The data commands the agent may propose, in the order the schema lists them. Each writes the keys it
     * names and nothing else.
     */
    public static final List<String> ALLOWED = List.of("SET", "DEL", "INCR", "INCRBY", "DECR", "DECRBY", "EXPIRE",
            "PERSIST", "APPEND", "JSON.SET", "MSET", "RENAME", "HSET", "HDEL", "HINCRBY", "SADD", "SREM", "ZADD",
            "ZREM", "ZINCRBY", "LPUSH", "RPUSH", "LPOP", "RPOP", "LREM");

    /** Commands named specifically in refusals: they act on the server or on all keys. */
    private static final Set<String> ADMIN = Set.of("FLUSHALL", "FLUSHDB", "SHUTDOWN", "CONFIG", "SAVE", "BGSAVE",
            "BGREWRITEAOF", "DEBUG", "SLAVEOF", "REPLICAOF", "MODULE", "ACL", "CLIENT", "SCRIPT", "FUNCTION", "EVAL",
            "EVALSHA", "FCALL", "MIGRATE", "SWAPDB", "MONITOR", "SYNC", "PSYNC", "CLUSTER", "KEYS", "LASTSAVE");

    public static final int MAX_COMMANDS = 50;
    public static final int MAX_ARG_BYTES = 64 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private WritePolicy() {
    }

    /**
     * Checks a whole proposal.
     *
     * @return the problems, one sentence each; empty when every command may run
     */
    public static List<String> check(List<List<String>> commands) {
        List<String> problems = new ArrayList<>();
        if (commands.isEmpty()) {
            problems.add("the proposal holds no command");
        }
        if (commands.size() > MAX_COMMANDS) {
            problems.add("the proposal holds " + commands.size() + " commands; at most " + MAX_COMMANDS
                    + " can be reviewed at once");
        }
        for (int i = 0; i < commands.size(); i++) {
            String p = checkOne(commands.get(i));
            if (p != null) {
                problems.add("command " + (i + 1) + ": " + p);
            }
        }
        return problems;
    }

    /**
     * Checks one command; null when it may run, else why not. The command's name is matched in any case; a
     * refusal shows it upper-cased and everything else as given (a key is never shown in another case).
     */
    static String checkOne(List<String> cmd) {
        if (cmd.isEmpty() || cmd.get(0).isBlank()) {
            return "empty command";
        }
        String given = cmd.get(0).strip();
        int end = 0;
        while (end < given.length() && !Character.isWhitespace(given.charAt(end))) {
            end++;
        }
        String name = given.substring(0, end).toUpperCase(Locale.ROOT);
        // The name as the refusal shows it: upper-cased, then whatever the model wrote after it, as written.
        String shown = name + given.substring(end);
        List<String> args = cmd.subList(1, cmd.size());
        if (ADMIN.contains(name)) {
            return name + " is an administrative command and is never run by the agent";
        }
        if (!ALLOWED.contains(name)) {
            return shown + " is not allowed; the agent may only propose " + String.join(", ", ALLOWED);
        }
        if (end < given.length()) {
            return shown + " is not a command name: send " + name + " as command and the arguments in args";
        }
        for (String a : args) {
            if (a.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_ARG_BYTES) {
                return name + " has an argument longer than " + MAX_ARG_BYTES + " bytes";
            }
        }
        return switch (name) {
            case "SET" -> checkSet(args);
            case "DEL" -> args.isEmpty() ? "DEL needs at least one key" : null;
            case "INCR", "DECR", "PERSIST" -> args.size() == 1 ? null : name + " takes exactly one key";
            case "INCRBY", "DECRBY" -> args.size() != 2 ? name + " takes a key and an integer"
                    : isInteger(args.get(1)) ? null : name + " amount '" + args.get(1) + "' is not an integer";
            case "EXPIRE" -> checkExpire(args);
            case "APPEND" -> args.size() == 2 ? null : "APPEND takes a key and a value";
            case "RENAME" -> args.size() == 2 ? null : "RENAME takes a key and a new name";
            case "MSET" -> args.isEmpty() || args.size() % 2 != 0 ? "MSET takes key value pairs" : null;
            case "JSON.SET" -> checkJsonSet(args);
            case "HSET" -> args.size() < 3 || args.size() % 2 == 0 ? "HSET takes a key and field value pairs" : null;
            case "HDEL" -> args.size() < 2 ? "HDEL takes a key and at least one field" : null;
            case "HINCRBY" -> args.size() != 3 ? "HINCRBY takes a key, a field and an integer"
                    : isInteger(args.get(2)) ? null : "HINCRBY amount '" + args.get(2) + "' is not an integer";
            case "SADD", "SREM" -> args.size() < 2 ? name + " takes a key and at least one member" : null;
            case "ZADD" -> checkZadd(args);
            case "ZREM" -> args.size() < 2 ? "ZREM takes a key and at least one member" : null;
            case "ZINCRBY" -> args.size() != 3 ? "ZINCRBY takes a key, an increment and a member"
                    : isScore(args.get(1)) ? null : "ZINCRBY increment '" + args.get(1) + "' is not a number";
            case "LPUSH", "RPUSH" -> args.size() < 2 ? name + " takes a key and at least one element" : null;
            // A bad count is refused only when the command runs, inside the transaction: checked here.
            case "LPOP", "RPOP" -> args.isEmpty() || args.size() > 2 ? name + " takes a key and optionally a count"
                    : args.size() == 1 || isRedisInteger(args.get(1)) && !args.get(1).startsWith("-") ? null
                    : name + " count '" + args.get(1) + "' is not an integer of at least 0";
            case "LREM" -> args.size() != 3 ? "LREM takes a key, a count and an element"
                    : isRedisInteger(args.get(1)) ? null : "LREM count '" + args.get(1) + "' is not an integer";
            default -> name + " is not allowed";
        };
    }

    private static String checkSet(List<String> args) {
        if (args.size() < 2) {
            return "SET takes a key, a value and options";
        }
        boolean condition = false;
        boolean expiry = false;
        for (int i = 2; i < args.size(); i++) {
            String o = args.get(i).toUpperCase(Locale.ROOT);
            switch (o) {
                case "NX", "XX" -> {
                    if (condition) {
                        return "SET takes only one of NX and XX";
                    }
                    condition = true;
                }
                case "GET" -> {
                }
                case "KEEPTTL" -> {
                    if (expiry) {
                        return "SET takes only one expiration option";
                    }
                    expiry = true;
                }
                case "EX", "PX", "EXAT", "PXAT" -> {
                    if (expiry) {
                        return "SET takes only one expiration option";
                    }
                    if (i + 1 >= args.size() || !isPositive(args.get(i + 1))) {
                        return "SET " + o + " needs a positive integer";
                    }
                    expiry = true;
                    i++;
                }
                default -> {
                    return "SET option '" + args.get(i) + "' is unknown (NX, XX, GET, EX, PX, EXAT, PXAT, KEEPTTL)";
                }
            }
        }
        return null;
    }

    /**
     * ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member …], refused here (not inside the
     * transaction, where the other commands would still run) when Redis would refuse it.
     */
    private static String checkZadd(List<String> args) {
        String usage = "ZADD takes a key, options (NX, XX, GT, LT, CH, INCR) and score member pairs";
        if (args.size() < 3) {
            return usage;
        }
        Set<String> options = new java.util.HashSet<>();
        int i = 1;
        while (i < args.size() && Set.of("NX", "XX", "GT", "LT", "CH", "INCR")
                .contains(args.get(i).toUpperCase(Locale.ROOT))) {
            options.add(args.get(i).toUpperCase(Locale.ROOT));
            i++;
        }
        int rest = args.size() - i;
        if (rest == 0 || rest % 2 != 0) {
            return usage;
        }
        if (options.contains("NX") && options.contains("XX")) {
            return "ZADD takes only one of NX and XX";
        }
        if (options.contains("GT") && options.contains("LT")
                || options.contains("NX") && (options.contains("GT") || options.contains("LT"))) {
            return "ZADD takes only one of GT and LT, and neither with NX";
        }
        if (options.contains("INCR") && rest != 2) {
            return "ZADD INCR takes a single score member pair";
        }
        for (int j = i; j < args.size(); j += 2) {
            if (!isScore(args.get(j))) {
                return "ZADD score '" + args.get(j) + "' is not a number";
            }
        }
        return null;
    }

    /**
     * A score as a sorted set takes it: a decimal number (1, -2.5, 1e3) or inf, +inf, -inf (any case), within a
     * double's range; never NaN.
     */
    static boolean isScore(String s) {
        if (s.matches("(?i)[+-]?inf(inity)?")) {
            return true;
        }
        if (!s.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
            return false;
        }
        double v = Double.parseDouble(s);
        // Out of a double's range Redis refuses it: overflow to infinity, or underflow of a nonzero to 0.
        return Double.isFinite(v) && (v != 0 || !s.replaceFirst("[eE].*$", "").matches(".*[1-9].*"));
    }

    private static String checkExpire(List<String> args) {
        if (args.size() < 2 || args.size() > 3) {
            return "EXPIRE takes a key, seconds and optionally NX, XX, GT or LT";
        }
        if (!isInteger(args.get(1))) {
            return "EXPIRE seconds '" + args.get(1) + "' is not an integer";
        }
        if (args.size() == 3 && !Set.of("NX", "XX", "GT", "LT").contains(args.get(2).toUpperCase(Locale.ROOT))) {
            return "EXPIRE option '" + args.get(2) + "' is unknown (NX, XX, GT, LT)";
        }
        return null;
    }

    private static String checkJsonSet(List<String> args) {
        if (args.size() < 3 || args.size() > 4) {
            return "JSON.SET takes a key, a path, a JSON value and optionally NX or XX";
        }
        try {
            JSON.readTree(args.get(2));
        } catch (JsonProcessingException e) {
            return "JSON.SET value is not valid JSON: " + e.getOriginalMessage();
        }
        if (args.size() == 4 && !Set.of("NX", "XX").contains(args.get(3).toUpperCase(Locale.ROOT))) {
            return "JSON.SET option '" + args.get(3) + "' is unknown (NX, XX)";
        }
        return null;
    }

    private static boolean isInteger(String s) {
        try {
            Long.parseLong(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * An integer as Redis reads one: digits with an optional minus, no plus and no leading zero ({@code +1} and
     * {@code 01} are refused), within 64 bits.
     */
    static boolean isRedisInteger(String s) {
        if (!s.matches("0|-?[1-9][0-9]*")) {
            return false;
        }
        try {
            Long.parseLong(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean isPositive(String s) {
        try {
            return Long.parseLong(s) > 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
