package io.qrrot.cli.render;

import io.qrrot.cli.resp.Reply;

/** Turns a reply into the bytes printed for it, including the trailing newline. Stateless. */
public interface ReplyFormat {

    byte[] format(Reply reply);

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
