package io.qrrot.cli.render;

import io.qrrot.cli.resp.Reply;
import java.util.List;

/** Turns a reply into the bytes printed for it, including the trailing newline. Stateless. */
public interface ReplyFormat {

    byte[] format(Reply reply);

    /**
     * The bytes printed for the reply to {@code command} (its name and arguments). The standard and raw
     * formats print the reply of INFO, CLIENT LIST and the other commands redis-cli prints as they are
     * (their text, no quotes, no newline added); otherwise {@link #format(Reply)}.
     */
    default byte[] format(List<byte[]> command, Reply reply) {
        return format(reply);
    }

    /** redis-cli's default terminal rendering: {@code "quoted"}, {@code (integer) 5}, {@code 1) …}. */
    static ReplyFormat standard() {
        return StandardFormat.INSTANCE;
    }

    /** redis-cli {@code --raw}: strings as they are, one element per line. */
    static ReplyFormat raw() {
        return RawFormat.INSTANCE;
    }

    /** One JSON document per reply. */
    static ReplyFormat json() {
        return JsonFormat.INSTANCE;
    }
}
