package io.qrrot.cli.ai;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The database as the AI agent sees it: a few reads, and one way to write: a confirmed plan run as a single
 * conditional transaction. One {@code Store} serves one agent request (one connection or one session) and is
 * used by one thread.
 *
 * <p><b>Watch contract.</b> Every read of a key (all methods taking keys, not {@link #scan}) starts watching
 * that key, as Redis' {@code WATCH} does: {@link #executePlan} then commits only if none of the watched keys
 * changed (written, deleted, expired, created) since it was first read, so a plan never acts on stale reads.
 *
 * <p>Failures: a command the database refuses (wrong type, unknown command, syntax) is a
 * {@link StoreException} whose message is the database's error text; it goes back to the model. An
 * {@link IOException} means the database could not be reached: the agent stops and nothing is written.
 */
public interface Store extends AutoCloseable {

    /** GET: the value, or empty when the key does not exist. */
    Optional<byte[]> get(String key) throws StoreException, IOException;

    /** MGET: one entry per key, empty where the key does not exist or does not hold a string. */
    List<Optional<byte[]>> mget(List<String> keys) throws StoreException, IOException;

    /** EXISTS: how many of the keys exist. */
    long exists(List<String> keys) throws StoreException, IOException;

    /**
     * TYPE: {@code string}, {@code hash}, {@code list}, {@code set}, {@code zset}, {@code ReJSON-RL}, … or
     * {@code none}.
     */
    String type(String key) throws StoreException, IOException;

    /** TTL in seconds: -1 without expiry, -2 when the key does not exist. */
    long ttl(String key) throws StoreException, IOException;

    /** STRLEN: 0 when the key does not exist. */
    long strlen(String key) throws StoreException, IOException;

    /** JSON.GET key [path]: the JSON text, or empty when the key does not exist. */
    Optional<String> jsonGet(String key, String path) throws StoreException, IOException;

    /** One SCAN step: {@code SCAN cursor MATCH pattern COUNT count}. Does not watch anything. */
    ScanPage scan(String cursor, String pattern, int count) throws StoreException, IOException;

    /** HLEN: how many fields the hash has; 0 when the key does not exist. */
    long hlen(String key) throws StoreException, IOException;

    /** HMGET key field…: one entry per field, empty where the field (or the key) does not exist. */
    List<Optional<byte[]>> hmget(String key, List<String> fields) throws StoreException, IOException;

    /**
     * One HSCAN step: {@code HSCAN key cursor COUNT count}. A small hash comes whole in one step; a large one
     * about {@code count} fields at a time, so a hash is never read whole unless the caller keeps going.
     */
    HashPage hscan(String key, String cursor, int count) throws StoreException, IOException;

    /** SCARD: how many members the set has; 0 when the key does not exist. */
    long scard(String key) throws StoreException, IOException;

    /** SMISMEMBER key member…: one entry per member, whether it is in the set. */
    List<Boolean> smismember(String key, List<String> members) throws StoreException, IOException;

    /** One SSCAN step: {@code SSCAN key cursor COUNT count}, bounded as {@link #hscan} is. */
    SetPage sscan(String key, String cursor, int count) throws StoreException, IOException;

    /** ZCARD: how many members the sorted set has; 0 when the key does not exist. */
    long zcard(String key) throws StoreException, IOException;

    /** ZCOUNT key min max: how many members have a score in the range (bounds as ZRANGE BYSCORE takes them). */
    long zcount(String key, String min, String max) throws StoreException, IOException;

    /**
     * {@code ZRANGE key args… WITHSCORES}: the members in the order asked, each with its score as the database
     * printed it. The caller bounds the range (ranks, or a LIMIT), so a sorted set is never read whole.
     *
     * @param args what follows the key: start, stop and options (BYSCORE, REV, LIMIT offset count)
     */
    List<ScoredMember> zrange(String key, List<String> args) throws StoreException, IOException;

    /** LLEN: how many elements the list has; 0 when the key does not exist. */
    long llen(String key) throws StoreException, IOException;

    /**
     * {@code LRANGE key start stop}: the elements between the two indexes, both included, in list order. The
     * caller bounds the range, so a list is never read whole.
     */
    List<byte[]> lrange(String key, long start, long stop) throws StoreException, IOException;

    /**
     * Runs {@code commands} as one transaction (MULTI … EXEC) that commits only if no key in
     * {@code watchedKeys} (and no key read through this store) changed since it was read.
     *
     * @param watchedKeys the keys the agent read; implementations watch at least these
     * @param commands    each command as its name followed by its arguments, exactly as confirmed
     * @return what became of the plan; {@link PlanResult.NotSent} when the connection failed before the
     *         commands were sent
     * @throws IOException the connection failed while the commands or {@code EXEC} were being sent or their
     *                     replies read: the transaction ran whole or not at all, and which is unknown
     */
    PlanResult executePlan(List<String> watchedKeys, List<List<String>> commands) throws IOException;

    /** Ends the request: drops the watches and releases the connection or session. */
    @Override
    void close();

    /** One SCAN step's result; {@code cursor} "0" means the iteration is complete. */
    record ScanPage(String cursor, List<String> keys) {
        public ScanPage {
            keys = List.copyOf(keys);
        }
    }

    /** One field of a hash and its value, as stored. */
    record FieldValue(byte[] field, byte[] value) {
    }

    /** One HSCAN step's result; {@code cursor} "0" means the iteration is complete. May repeat a field. */
    record HashPage(String cursor, List<FieldValue> entries) {
        public HashPage {
            entries = List.copyOf(entries);
        }
    }

    /** A sorted set's member and its score, the text the database sent ({@code 0.10000000000000001}, {@code inf}). */
    record ScoredMember(byte[] member, String score) {
    }

    /** One SSCAN step's result; {@code cursor} "0" means the iteration is complete. May repeat a member. */
    record SetPage(String cursor, List<byte[]> members) {
        public SetPage {
            members = List.copyOf(members);
        }
    }
}
