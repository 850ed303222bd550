package io.qrrot.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

/** Compact reply rendering for exact-reply tests: +status -error :integer $bulk $nil *nil [a, b]. */
final class Script {
    private Script() {
    }

    static String render(Object o) {
        if (o == null) {
            return "$nil";
        }
        if (o == TreeSink.NIL_ARRAY) {
            return "*nil";
        }
        if (o instanceof TreeSink.Status || o instanceof TreeSink.Err) {
            return o.toString();
        }
        if (o instanceof Long) {
            return ":" + o;
        }
        if (o instanceof String) {
            return "$" + o;
        }
        if (o instanceof List) {
            StringBuilder sb = new StringBuilder("[");
            List<?> l = (List<?>) o;
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                sb.append(render(l.get(i)));
            }
            return sb.append(']').toString();
        }
        return String.valueOf(o);
    }

    /** Runs {@code command} (space-separated; {@code ''} is an empty argument) and checks the rendered reply. */
    static void expect(Harness h, String command, String reply) {
        expect(h, h.session, command, reply);
    }

    static void expect(Harness h, Session s, String command, String reply) {
        String[] args = command.split(" ");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("''")) {
                args[i] = "";
            }
        }
        assertEquals(reply, render(h.call(s, args)), command);
    }
}
