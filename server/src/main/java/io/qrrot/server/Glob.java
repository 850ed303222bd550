package io.qrrot.server;

/** Redis' glob matching ({@code stringmatchlen}): {@code * ? [abc] [^a] [a-z]} and {@code \} escapes. */
final class Glob {
    private Glob() {
    }

    static boolean matches(String pattern, String text, boolean noCase) {
        return match(pattern, 0, text, 0, noCase, 0);
    }

    private static boolean match(String p, int pi, String s, int si, boolean noCase, int depth) {
        if (depth > 1000) {
            return false; // pathological patterns: refuse rather than recurse without bound
        }
        while (pi < p.length()) {
            char pc = p.charAt(pi);
            switch (pc) {
                case '*' -> {
                    while (pi + 1 < p.length() && p.charAt(pi + 1) == '*') {
                        pi++;
                    }
                    if (pi + 1 == p.length()) {
                        return true;
                    }
                    for (int k = si; k <= s.length(); k++) {
                        if (match(p, pi + 1, s, k, noCase, depth + 1)) {
                            return true;
                        }
                    }
                    return false;
                }
                case '?' -> {
                    if (si >= s.length()) {
                        return false;
                    }
                    si++;
                }
                case '[' -> {
                    if (si >= s.length()) {
                        return false;
                    }
                    pi++;
                    boolean not = pi < p.length() && p.charAt(pi) == '^';
                    if (not) {
                        pi++;
                    }
                    boolean hit = false;
                    char c = s.charAt(si);
                    while (pi < p.length() && p.charAt(pi) != ']') {
                        if (p.charAt(pi) == '\\' && pi + 1 < p.length()) {
                            pi++;
                            hit |= eq(p.charAt(pi), c, noCase);
                        } else if (pi + 2 < p.length() && p.charAt(pi + 1) == '-') {
                            char lo = p.charAt(pi);
                            char hi = p.charAt(pi + 2);
                            if (lo > hi) {
                                char t = lo;
                                lo = hi;
                                hi = t;
                            }
                            char cc = noCase ? Character.toLowerCase(c) : c;
                            if (noCase) {
                                lo = Character.toLowerCase(lo);
                                hi = Character.toLowerCase(hi);
                            }
                            hit |= cc >= lo && cc <= hi;
                            pi += 2;
                        } else {
                            hit |= eq(p.charAt(pi), c, noCase);
                        }
                        pi++;
                    }
                    if (not) {
                        hit = !hit;
                    }
                    if (!hit) {
                        return false;
                    }
                    si++;
                }
                case '\\' -> {
                    if (pi + 1 < p.length()) {
                        pi++;
                    }
                    if (si >= s.length() || !eq(p.charAt(pi), s.charAt(si), noCase)) {
                        return false;
                    }
                    si++;
                }
                default -> {
                    if (si >= s.length() || !eq(pc, s.charAt(si), noCase)) {
                        return false;
                    }
                    si++;
                }
            }
            pi++;
        }
        return si == s.length();
    }

    private static boolean eq(char a, char b, boolean noCase) {
        return noCase ? Character.toLowerCase(a) == Character.toLowerCase(b) : a == b;
    }
}
