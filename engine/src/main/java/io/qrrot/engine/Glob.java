package io.qrrot.engine;

import org.agrona.DirectBuffer;

/**
 * Redis' glob-style matching for KEYS and SCAN MATCH, byte for byte the same as Redis' {@code stringmatchlen}:
 * {@code *} any run of bytes, {@code ?} one byte, {@code [abc]} {@code [^a-z]} classes, {@code \x} escapes.
 * Bytes compare as signed values, as in C, so ranges over bytes ≥ 0x80 behave the same way.
 */
final class Glob {
    private static final int MAX_NESTING = 1000;

    private final DirectBuffer pattern;
    private final int patternOffset;
    private final int patternLength;
    private DirectBuffer string;
    private boolean skipLongerMatches;

    private Glob(DirectBuffer pattern, int offset, int length) {
        this.pattern = pattern;
        this.patternOffset = offset;
        this.patternLength = length;
    }

    /** A matcher for one pattern, reusable for many strings (the pattern bytes must stay unchanged). */
    static Glob compile(DirectBuffer pattern, int poff, int plen) {
        return new Glob(pattern, poff, plen);
    }

    /** True when the whole of {@code string[off, off+len)} matches the pattern. */
    static boolean matches(DirectBuffer pattern, int poff, int plen, DirectBuffer string, int soff, int slen) {
        Glob g = new Glob(pattern, poff, plen);
        return g.match(string, soff, slen);
    }

    /** True when the pattern is {@code *} alone, which matches everything (lets callers skip matching). */
    static boolean matchesAll(DirectBuffer pattern, int poff, int plen) {
        return plen == 1 && pattern.getByte(poff) == '*';
    }

    boolean match(DirectBuffer s, int soff, int slen) {
        string = s;
        skipLongerMatches = false;
        return match(patternOffset, patternLength, soff, slen, 0);
    }

    private byte p(int i, int end) {
        return i < end ? pattern.getByte(i) : 0;
    }

    private byte s(int i, int end) {
        return i < end ? string.getByte(i) : 0;
    }

    private boolean match(int pi, int plen, int si, int slen, int nesting) {
        if (nesting > MAX_NESTING) {
            return false;
        }
        final int pend = patternOffset + patternLength;
        final int send = si + slen;
        while (plen > 0 && slen > 0) {
            byte pc = p(pi, pend);
            switch (pc) {
                case '*':
                    while (plen > 0 && p(pi + 1, pend) == '*') {
                        pi++;
                        plen--;
                    }
                    if (plen == 1) {
                        return true;
                    }
                    while (slen > 0) {
                        if (match(pi + 1, plen - 1, si, slen, nesting + 1)) {
                            return true;
                        }
                        if (skipLongerMatches) {
                            return false;
                        }
                        si++;
                        slen--;
                    }
                    skipLongerMatches = true;
                    return false;
                case '?':
                    si++;
                    slen--;
                    break;
                case '[': {
                    pi++;
                    plen--;
                    boolean not = p(pi, pend) == '^';
                    if (not) {
                        pi++;
                        plen--;
                    }
                    boolean matched = false;
                    byte c = s(si, send);
                    while (true) {
                        if (p(pi, pend) == '\\' && plen >= 2) {
                            pi++;
                            plen--;
                            if (p(pi, pend) == c) {
                                matched = true;
                            }
                        } else if (p(pi, pend) == ']') {
                            break;
                        } else if (plen == 0) {
                            pi--;
                            plen++;
                            break;
                        } else if (plen >= 3 && p(pi + 1, pend) == '-') {
                            int start = p(pi, pend);
                            int end = p(pi + 2, pend);
                            if (start > end) {
                                int t = start;
                                start = end;
                                end = t;
                            }
                            pi += 2;
                            plen -= 2;
                            if (c >= start && c <= end) {
                                matched = true;
                            }
                        } else if (p(pi, pend) == c) {
                            matched = true;
                        }
                        pi++;
                        plen--;
                    }
                    if (not) {
                        matched = !matched;
                    }
                    if (!matched) {
                        return false;
                    }
                    si++;
                    slen--;
                    break;
                }
                case '\\':
                    if (plen >= 2) {
                        pi++;
                        plen--;
                    }
                    if (p(pi, pend) != s(si, send)) {
                        return false;
                    }
                    si++;
                    slen--;
                    break;
                default:
                    if (pc != s(si, send)) {
                        return false;
                    }
                    si++;
                    slen--;
                    break;
            }
            pi++;
            plen--;
            if (slen == 0) {
                while (plen > 0 && p(pi, pend) == '*') {
                    pi++;
                    plen--;
                }
                break;
            }
        }
        return plen == 0 && slen == 0;
    }
}
