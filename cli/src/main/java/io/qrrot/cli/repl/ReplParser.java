package io.qrrot.cli.repl;

import java.util.ArrayList;
import java.util.List;
import org.jline.reader.CompletingParsedLine;
import org.jline.reader.EOFError;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;

/**
 * JLine's view of a typed line: words as {@link ArgSplitter} splits them. When a JSON value's brackets are
 * still open on Enter, it reports an {@link EOFError} so JLine continues the input on the next line.
 */
final class ReplParser implements Parser {

    @Override
    public ParsedLine parse(String line, int cursor, ParseContext context) {
        ArgSplitter.Result r = ArgSplitter.split(line);
        if (context == ParseContext.ACCEPT_LINE && r.incomplete()) {
            throw new EOFError(-1, -1, "JSON value not closed: missing " + r.missing(), r.missing());
        }
        List<String> words = new ArrayList<>();
        int wordIndex = -1;
        int wordCursor = 0;
        int rawLength = 0;
        for (ArgSplitter.Token t : r.tokens()) {
            if (wordIndex < 0 && cursor >= t.start() && cursor <= t.end()) {
                wordIndex = words.size();
                // Completion works on the typed text; for quoted words it is approximate, which is fine.
                wordCursor = Math.min(cursor - t.start(), t.text().length());
                rawLength = t.end() - t.start();
            }
            words.add(t.text());
        }
        if (wordIndex < 0) {
            // The cursor sits in whitespace: completion starts a new, empty word there.
            int insertAt = 0;
            while (insertAt < r.tokens().size() && r.tokens().get(insertAt).end() < cursor) {
                insertAt++;
            }
            words.add(insertAt, "");
            wordIndex = insertAt;
            wordCursor = 0;
        }
        return new Line(line, cursor, words, wordIndex, wordCursor, wordCursor, rawLength);
    }

    @Override
    public boolean isEscapeChar(char ch) {
        return false;
    }

    private record Line(String line, int cursor, List<String> words, int wordIndex, int wordCursor,
                        int rawWordCursor, int rawWordLength) implements CompletingParsedLine {
        @Override
        public String word() {
            return words.get(wordIndex);
        }

        /** Candidates are command names and option tokens: plain words that need no quoting. */
        @Override
        public CharSequence escape(CharSequence candidate, boolean complete) {
            return candidate;
        }
    }
}
