/**
 * The memcached text protocol, as memcached 1.6 speaks it: {@link io.qrrot.server.memcached.McDecoder} reads
 * requests incrementally into a reusable {@link io.qrrot.server.memcached.McRequest};
 * {@link io.qrrot.server.memcached.McReplies} holds the reply texts; {@link io.qrrot.server.memcached.McDetector}
 * tells a memcached client from a Redis client on the main port by its first line. The connection side is
 * {@code io.qrrot.server.MemcachedConnection}; the storage semantics are the engine's
 * ({@code io.qrrot.engine.Memcached}).
 */
package io.qrrot.server.memcached;
