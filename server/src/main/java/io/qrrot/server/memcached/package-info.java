/**
 * The memcached text protocol, as memcached 1.6 speaks it: {@link io.qrrot.server.memcached.McDecoder} reads
 * requests incrementally into a reusable {@link io.qrrot.server.memcached.McRequest};
 * {@link io.qrrot.server.memcached.McReplies} holds the reply texts. Not wired into the server yet: the
 * connection handler, storage semantics (flags, CAS uniques, exptime), the meta commands' flags and detecting memcached
 * clients on the main port come next.
 */
package io.qrrot.server.memcached;
