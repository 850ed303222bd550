package io.qrrot.engine.json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The supported JSON path subset: one path names at most one value.
 *
 * <pre>
 *   $  or  .                the root
 *   .name  or  name         a member (dot notation: any bytes except '.', '[' and ']')
 *   ["name"]  ['name']      a member (bracket notation, with \" \' \\ escapes)
 *   [3]  [-1]               an array element; negative counts from the end
 * </pre>
 *
 * Steps chain: {@code $.a[0]["b c"].d}, {@code .a.b}, {@code a.b}. A path starting with {@code $} is a
 * JSONPath in RedisJSON's sense (JSON.GET answers an array of the matches); any other is a legacy path
 * (JSON.GET answers the value itself). Wildcards, recursive descent, slices and filters are refused.
 */
public final class JsonPath {
    private final String text;
    private final boolean dollar;
    private final List<Object> steps; // String member names and Integer indexes

    private JsonPath(String text, boolean dollar, List<Object> steps) {
        this.text = text;
        this.dollar = dollar;
        this.steps = steps;
    }

    public static final JsonPath ROOT = new JsonPath("$", true, List.of());
    public static final JsonPath LEGACY_ROOT = new JsonPath(".", false, List.of());

    /** True for a path starting with {@code $}. */
    public boolean isDollar() {
        return dollar;
    }

    public boolean isRoot() {
        return steps.isEmpty();
    }

    public String text() {
        return text;
    }

    public static JsonPath parse(String path) throws JsonInvalidException {
        int n = path.length();
        int i = 0;
        boolean dollar = false;
        List<Object> steps = new ArrayList<>();
        if (n == 0) {
            throw bad(path, "empty path");
        }
        if (path.charAt(0) == '$') {
            dollar = true;
            i = 1;
        } else if (path.equals(".")) {
            return LEGACY_ROOT;
        } else if (path.charAt(0) != '.' && path.charAt(0) != '[') {
            // Legacy paths may omit the leading dot: "a.b" means ".a.b".
            int end = nameEnd(path, 0);
            steps.add(name(path, 0, end));
            i = end;
        }
        while (i < n) {
            char c = path.charAt(i);
            if (c == '.') {
                if (i + 1 < n && path.charAt(i + 1) == '.') {
                    throw bad(path, "recursive descent (..) is not supported");
                }
                int end = nameEnd(path, i + 1);
                steps.add(name(path, i + 1, end));
                i = end;
            } else if (c == '[') {
                i = bracket(path, i + 1, steps);
            } else {
                throw bad(path, "unexpected '" + c + "' at " + i);
            }
        }
        return new JsonPath(path, dollar, List.copyOf(steps));
    }

    private static int nameEnd(String path, int from) {
        int i = from;
        while (i < path.length() && path.charAt(i) != '.' && path.charAt(i) != '[' && path.charAt(i) != ']') {
            i++;
        }
        return i;
    }

    private static String name(String path, int from, int end) throws JsonInvalidException {
        if (end == from) {
            throw bad(path, "empty member name at " + from);
        }
        String name = path.substring(from, end);
        if (name.equals("*")) {
            throw bad(path, "wildcards are not supported");
        }
        return name;
    }

    private static int bracket(String path, int i, List<Object> steps) throws JsonInvalidException {
        int n = path.length();
        if (i >= n) {
            throw bad(path, "unclosed '['");
        }
        char c = path.charAt(i);
        if (c == '"' || c == '\'') {
            StringBuilder sb = new StringBuilder();
            int j = i + 1;
            while (j < n && path.charAt(j) != c) {
                char d = path.charAt(j);
                if (d == '\\' && j + 1 < n) {
                    j++;
                    d = path.charAt(j);
                }
                sb.append(d);
                j++;
            }
            if (j + 1 >= n || path.charAt(j + 1) != ']') {
                throw bad(path, "unclosed quoted member name at " + i);
            }
            steps.add(sb.toString());
            return j + 2;
        }
        int close = path.indexOf(']', i);
        if (close < 0) {
            throw bad(path, "unclosed '['");
        }
        String inside = path.substring(i, close).trim();
        if (!inside.matches("-?[0-9]{1,9}")) {
            throw bad(path, "only [index], [\"name\"] and ['name'] are supported in brackets, not [" + inside + "]");
        }
        steps.add(Integer.valueOf(inside));
        return close + 1;
    }

    private static JsonInvalidException bad(String path, String why) {
        return new JsonInvalidException("ERR invalid JSON path '" + path + "': " + why);
    }

    /** The value at this path in {@code root}, or null when there is none. */
    public Object find(Object root) {
        Object node = root;
        for (Object step : steps) {
            node = child(node, step);
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    @SuppressWarnings("unchecked")
    private static Object child(Object node, Object step) {
        if (step instanceof String) {
            return node instanceof Map ? ((Map<String, Object>) node).get(step) : null;
        }
        if (node instanceof List) {
            List<Object> a = (List<Object>) node;
            int idx = index(a, (Integer) step);
            return idx < 0 ? null : a.get(idx);
        }
        return null;
    }

    private static int index(List<Object> a, int i) {
        int idx = i < 0 ? a.size() + i : i;
        return idx >= 0 && idx < a.size() ? idx : -1;
    }

    /** Outcome of {@link #set}. */
    public enum SetResult { SET, NOT_FOUND, CONDITION_NOT_MET }

    /**
     * Sets the value at this path in {@code root} (which must not be the root path: replace the document
     * instead). An existing value is replaced; a missing object member is added when its parent object exists;
     * array elements must exist.
     *
     * @param nx only when nothing is at the path
     * @param xx only when something is at the path
     */
    @SuppressWarnings("unchecked")
    public SetResult set(Object root, Object value, boolean nx, boolean xx) {
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("set on the root path: replace the whole document instead");
        }
        Object parent = root;
        for (int s = 0; s < steps.size() - 1; s++) {
            parent = child(parent, steps.get(s));
            if (parent == null) {
                return SetResult.NOT_FOUND;
            }
        }
        Object last = steps.get(steps.size() - 1);
        if (last instanceof String) {
            if (!(parent instanceof Map)) {
                return SetResult.NOT_FOUND;
            }
            Map<String, Object> m = (Map<String, Object>) parent;
            boolean exists = m.containsKey(last);
            if ((nx && exists) || (xx && !exists)) {
                return SetResult.CONDITION_NOT_MET;
            }
            m.put((String) last, value);
            return SetResult.SET;
        }
        if (!(parent instanceof List)) {
            return SetResult.NOT_FOUND;
        }
        List<Object> a = (List<Object>) parent;
        int idx = index(a, (Integer) last);
        if (idx < 0) {
            return SetResult.NOT_FOUND;
        }
        if (nx) {
            return SetResult.CONDITION_NOT_MET;
        }
        a.set(idx, value);
        return SetResult.SET;
    }

    @Override
    public String toString() {
        return text;
    }
}
