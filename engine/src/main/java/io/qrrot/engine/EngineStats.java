package io.qrrot.engine;

/**
 * A snapshot of the keyspace's size and memory, for INFO. Counts include keys that have expired but were not
 * reclaimed yet (as Redis' DBSIZE and INFO do).
 *
 * @param keys               number of keys
 * @param expires            keys with a TTL
 * @param strings            keys holding a string
 * @param ints               keys holding a 64-bit integer
 * @param jsons              keys holding a JSON value
 * @param hashes             keys holding a hash
 * @param lists              keys holding a list
 * @param sets               keys holding a set
 * @param zsets              keys holding a sorted set
 * @param items              keys holding a memcached item (a string with flags and a CAS unique)
 * @param usedMemory         entry blocks + index tables: the figure {@code maxMemory} limits
 * @param allocatedBytes     off-heap memory obtained from the operating system
 * @param liveBytes          exact bytes of the live entries (and of the element tables of large collections)
 * @param indexBytes         the hash index tables
 * @param fragmentationBytes allocated bytes not holding live entries
 * @param fragmentationRatio allocated / live bytes (1.0 when empty)
 * @param maxMemory          the limit in force, 0 = none
 */
public record EngineStats(long keys, long expires, long strings, long ints, long jsons, long hashes, long lists,
                          long sets, long zsets, long items,
                          long usedMemory,
                          long allocatedBytes, long liveBytes, long indexBytes, long fragmentationBytes,
                          double fragmentationRatio, long maxMemory) {
}
