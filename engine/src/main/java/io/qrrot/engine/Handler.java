package io.qrrot.engine;

/**
 * The body of one command. Runs after the dispatch gate checked existence, arity and flags and locked the
 * shards of the command's keys; reads through {@link Ctx#find}, writes by emitting effect ops through the
 * context (never to the store directly), and replies to {@link Ctx#out}. A handler validates everything
 * before its first op, so an error reply never comes with a partial effect.
 */
@FunctionalInterface
interface Handler {
    void run(Ctx c);
}
