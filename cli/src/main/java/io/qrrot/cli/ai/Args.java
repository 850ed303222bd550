package io.qrrot.cli.ai;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads tool arguments as the model sent them (JSON decoded to maps, lists, strings and numbers). */
final class Args {
    private Args() {
    }

    /** The model's arguments do not fit the tool: the message goes back to the model. */
    static final class BadArguments extends Exception {
        private static final long serialVersionUID = 1L;

        BadArguments(String message) {
            super(message);
        }
    }

    static String string(Map<String, Object> args, String name) throws BadArguments {
        Object v = args.get(name);
        if (v == null) {
            throw new BadArguments("missing argument '" + name + "'");
        }
        return scalar(v, "'" + name + "'");
    }

    static String optionalString(Map<String, Object> args, String name) throws BadArguments {
        Object v = args.get(name);
        return v == null ? null : scalar(v, "'" + name + "'");
    }

    static Integer optionalInt(Map<String, Object> args, String name) throws BadArguments {
        Object v = args.get(name);
        if (v == null) {
            return null;
        }
        if (v instanceof Number n) {
            return n.intValue();
        }
        try {
            return Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new BadArguments("'" + name + "' must be an integer, got '" + v + "'");
        }
    }

    /** A boolean the model sent as true/false (or as the text "true"/"false"); null when absent. */
    static Boolean optionalBoolean(Map<String, Object> args, String name) throws BadArguments {
        Object v = args.get(name);
        if (v == null || v instanceof Boolean) {
            return (Boolean) v;
        }
        String s = v.toString().trim();
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new BadArguments("'" + name + "' must be true or false, got '" + v + "'");
    }

    static List<String> strings(Map<String, Object> args, String name, int max) throws BadArguments {
        return strings(args, name, max, "key");
    }

    /**
     * A non-empty array of at most {@code max} strings.
     *
     * @param what what each string names, for the refusals: "key", "field", "member"
     */
    static List<String> strings(Map<String, Object> args, String name, int max, String what) throws BadArguments {
        Object v = args.get(name);
        if (!(v instanceof List<?> list)) {
            throw new BadArguments("'" + name + "' must be an array of " + what + " names");
        }
        if (list.isEmpty()) {
            throw new BadArguments("'" + name + "' is empty");
        }
        if (list.size() > max) {
            throw new BadArguments("'" + name + "' holds " + list.size() + " " + what + "s; at most " + max
                    + " per call");
        }
        List<String> out = new ArrayList<>(list.size());
        for (Object o : list) {
            out.add(scalar(o, "'" + name + "'"));
        }
        return out;
    }

    /** Like {@link #strings(Map, String, int, String)}, but null when the argument is absent or an empty array. */
    static List<String> optionalStrings(Map<String, Object> args, String name, int max, String what)
            throws BadArguments {
        Object v = args.get(name);
        if (v == null || v instanceof List<?> list && list.isEmpty()) {
            return null;
        }
        return strings(args, name, max, what);
    }

    /** A string, or a number/boolean the model sent where a string was meant (written as JSON would). */
    static String scalar(Object v, String what) throws BadArguments {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 9.0e15) {
            return Long.toString(d.longValue());
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        throw new BadArguments(what + " must hold strings, got " + (v == null ? "null" : v.getClass().getSimpleName()));
    }
}
