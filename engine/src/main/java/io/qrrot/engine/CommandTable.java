package io.qrrot.engine;

import static io.qrrot.engine.CommandSpec.Flag.ADMIN;
import static io.qrrot.engine.CommandSpec.Flag.DENYOOM;
import static io.qrrot.engine.CommandSpec.Flag.FAST;
import static io.qrrot.engine.CommandSpec.Flag.READONLY;
import static io.qrrot.engine.CommandSpec.Flag.WRITE;

import io.qrrot.engine.Command.Scope;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The command table: one row per command, as data (name, arity, flags, key positions, group, syntax,
 * summary) plus its handler, and a case-insensitive lookup from a command's name bytes that allocates
 * nothing. The same rows feed the server's COMMAND replies and the CLI's help.
 */
final class CommandTable {
    private final List<Command> commands = new ArrayList<>();
    private final List<CommandSpec> specs;
    private final Command[] slots;
    private final int mask;

    CommandTable() {
        define();
        List<CommandSpec> s = new ArrayList<>();
        for (Command c : commands) {
            s.add(c.spec);
        }
        specs = Collections.unmodifiableList(s);
        int size = Integer.highestOneBit(commands.size() * 4 - 1) << 1;
        slots = new Command[size];
        mask = size - 1;
        for (Command c : commands) {
            int i = hash(c.name, 0, c.name.length) & mask;
            while (slots[i] != null) {
                i = (i + 1) & mask;
            }
            slots[i] = c;
        }
    }

    private void define() {
        // ---- strings ----
        row("GET", 2, f(READONLY, FAST), 1, 1, 1, "string", "key",
                "Returns the value of a key (an int as its text, JSON as its compact text).", Scope.KEYS,
                StringCommands::get);
        row("SET", -3, f(WRITE, DENYOOM), 1, 1, 1, "string",
                "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]",
                "Sets the value of a key, ignoring its type; an integer text is stored as an int.", Scope.KEYS,
                StringCommands::set);
        row("SETNX", 3, f(WRITE, DENYOOM, FAST), 1, 1, 1, "string", "key value",
                "Sets the value of a key only when it does not exist.", Scope.KEYS, StringCommands::setnx);
        row("SETEX", 4, f(WRITE, DENYOOM), 1, 1, 1, "string", "key seconds value",
                "Sets the value and the expiration in seconds of a key.", Scope.KEYS, StringCommands::setex);
        row("PSETEX", 4, f(WRITE, DENYOOM), 1, 1, 1, "string", "key milliseconds value",
                "Sets the value and the expiration in milliseconds of a key.", Scope.KEYS, StringCommands::psetex);
        row("GETSET", 3, f(WRITE, DENYOOM, FAST), 1, 1, 1, "string", "key value",
                "Sets a new value and returns the old one.", Scope.KEYS, StringCommands::getset);
        row("GETDEL", 2, f(WRITE, FAST), 1, 1, 1, "string", "key",
                "Returns the value of a key and deletes the key.", Scope.KEYS, StringCommands::getdel);
        row("GETEX", -2, f(WRITE, FAST), 1, 1, 1, "string",
                "key [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST]",
                "Returns the value of a key and optionally sets or removes its expiration.", Scope.KEYS,
                StringCommands::getex);
        row("MGET", -2, f(READONLY, FAST), 1, -1, 1, "string", "key [key ...]",
                "Returns the values of several keys.", Scope.KEYS, StringCommands::mget);
        row("MSET", -3, f(WRITE, DENYOOM), 1, -1, 2, "string", "key value [key value ...]",
                "Sets several keys atomically.", Scope.KEYS, StringCommands::mset);
        row("MSETNX", -3, f(WRITE, DENYOOM), 1, -1, 2, "string", "key value [key value ...]",
                "Sets several keys atomically, only when none of them exists.", Scope.KEYS,
                StringCommands::msetnx);
        row("APPEND", 3, f(WRITE, DENYOOM, FAST), 1, 1, 1, "string", "key value",
                "Appends to the value of a key; returns the new length.", Scope.KEYS, StringCommands::append);
        row("STRLEN", 2, f(READONLY, FAST), 1, 1, 1, "string", "key",
                "Returns the length of the value of a key.", Scope.KEYS, StringCommands::strlen);
        row("GETRANGE", 4, f(READONLY), 1, 1, 1, "string", "key start end",
                "Returns a substring of the value of a key.", Scope.KEYS, StringCommands::getrange);
        row("SETRANGE", 4, f(WRITE, DENYOOM), 1, 1, 1, "string", "key offset value",
                "Overwrites part of the value of a key at an offset; returns the new length.", Scope.KEYS,
                StringCommands::setrange);
        row("INCR", 2, f(WRITE, DENYOOM, FAST), 1, 1, 1, "string", "key",
                "Increments the integer value of a key by one.", Scope.KEYS, StringCommands::incr);
        row("INCRBY", 3, f(WRITE, DENYOOM, FAST), 1, 1, 1, "string", "key increment",
                "Increments the integer value of a key by a number.", Scope.KEYS, StringCommands::incrby);
        row("DECR", 2, f(WRITE, DENYOOM, FAST), 1, 1, 1, "string", "key",
                "Decrements the integer value of a key by one.", Scope.KEYS, StringCommands::decr);
        row("DECRBY", 3, f(WRITE, DENYOOM, FAST), 1, 1, 1, "string", "key decrement",
                "Decrements the integer value of a key by a number.", Scope.KEYS, StringCommands::decrby);
        row("INCRBYFLOAT", 3, f(WRITE, DENYOOM, FAST), 1, 1, 1, "string", "key increment",
                "Increments the numeric value of a key by a floating-point number.", Scope.KEYS,
                StringCommands::incrbyfloat);

        // ---- hashes ----
        row("HSET", -4, f(WRITE, DENYOOM, FAST), 1, 1, 1, "hash", "key field value [field value ...]",
                "Sets fields of a hash; returns how many were new.", Scope.KEYS, HashCommands::hset);
        row("HMSET", -4, f(WRITE, DENYOOM, FAST), 1, 1, 1, "hash", "key field value [field value ...]",
                "Sets fields of a hash (as HSET, replying OK).", Scope.KEYS, HashCommands::hmset);
        row("HSETNX", 4, f(WRITE, DENYOOM, FAST), 1, 1, 1, "hash", "key field value",
                "Sets a field of a hash only when it does not exist.", Scope.KEYS, HashCommands::hsetnx);
        row("HGET", 3, f(READONLY, FAST), 1, 1, 1, "hash", "key field",
                "Returns the value of a field of a hash.", Scope.KEYS, HashCommands::hget);
        row("HMGET", -3, f(READONLY, FAST), 1, 1, 1, "hash", "key field [field ...]",
                "Returns the values of fields of a hash.", Scope.KEYS, HashCommands::hmget);
        row("HGETALL", 2, f(READONLY), 1, 1, 1, "hash", "key",
                "Returns every field and value of a hash.", Scope.KEYS, HashCommands::hgetall);
        row("HDEL", -3, f(WRITE, FAST), 1, 1, 1, "hash", "key field [field ...]",
                "Deletes fields of a hash; returns how many existed. A hash left empty is deleted.", Scope.KEYS,
                HashCommands::hdel);
        row("HLEN", 2, f(READONLY, FAST), 1, 1, 1, "hash", "key",
                "Returns the number of fields of a hash.", Scope.KEYS, HashCommands::hlen);
        row("HEXISTS", 3, f(READONLY, FAST), 1, 1, 1, "hash", "key field",
                "Returns whether a field exists in a hash.", Scope.KEYS, HashCommands::hexists);
        row("HKEYS", 2, f(READONLY), 1, 1, 1, "hash", "key",
                "Returns the fields of a hash.", Scope.KEYS, HashCommands::hkeys);
        row("HVALS", 2, f(READONLY), 1, 1, 1, "hash", "key",
                "Returns the values of a hash.", Scope.KEYS, HashCommands::hvals);
        row("HINCRBY", 4, f(WRITE, DENYOOM, FAST), 1, 1, 1, "hash", "key field increment",
                "Increments the integer value of a field of a hash.", Scope.KEYS, HashCommands::hincrby);
        row("HINCRBYFLOAT", 4, f(WRITE, DENYOOM, FAST), 1, 1, 1, "hash", "key field increment",
                "Increments the numeric value of a field of a hash by a floating-point number.", Scope.KEYS,
                HashCommands::hincrbyfloat);
        row("HSTRLEN", 3, f(READONLY, FAST), 1, 1, 1, "hash", "key field",
                "Returns the length of the value of a field of a hash.", Scope.KEYS, HashCommands::hstrlen);
        row("HRANDFIELD", -2, f(READONLY), 1, 1, 1, "hash", "key [count [WITHVALUES]]",
                "Returns random fields of a hash (a negative count may repeat them).", Scope.KEYS,
                HashCommands::hrandfield);
        row("HSCAN", -3, f(READONLY), 1, 1, 1, "hash", "key cursor [MATCH pattern] [COUNT count]",
                "Iterates over the fields and values of a hash.", Scope.KEYS, HashCommands::hscan);

        // ---- lists ----
        row("LPUSH", -3, f(WRITE, DENYOOM, FAST), 1, 1, 1, "list", "key element [element ...]",
                "Prepends elements to a list (the last given ends first); returns its length.", Scope.KEYS,
                ListCommands::lpush);
        row("RPUSH", -3, f(WRITE, DENYOOM, FAST), 1, 1, 1, "list", "key element [element ...]",
                "Appends elements to a list; returns its length.", Scope.KEYS, ListCommands::rpush);
        row("LPUSHX", -3, f(WRITE, DENYOOM, FAST), 1, 1, 1, "list", "key element [element ...]",
                "Prepends elements to a list only when it exists; returns its length.", Scope.KEYS,
                ListCommands::lpushx);
        row("RPUSHX", -3, f(WRITE, DENYOOM, FAST), 1, 1, 1, "list", "key element [element ...]",
                "Appends elements to a list only when it exists; returns its length.", Scope.KEYS,
                ListCommands::rpushx);
        row("LPOP", -2, f(WRITE, FAST), 1, 1, 1, "list", "key [count]",
                "Removes and returns the first elements of a list. A list left empty is deleted.", Scope.KEYS,
                ListCommands::lpop);
        row("RPOP", -2, f(WRITE, FAST), 1, 1, 1, "list", "key [count]",
                "Removes and returns the last elements of a list. A list left empty is deleted.", Scope.KEYS,
                ListCommands::rpop);
        row("LLEN", 2, f(READONLY, FAST), 1, 1, 1, "list", "key",
                "Returns the length of a list.", Scope.KEYS, ListCommands::llen);
        row("LRANGE", 4, f(READONLY), 1, 1, 1, "list", "key start stop",
                "Returns the elements of a list between two indexes (negative ones count from the end).", Scope.KEYS,
                ListCommands::lrange);
        row("LINDEX", 3, f(READONLY), 1, 1, 1, "list", "key index",
                "Returns the element of a list at an index.", Scope.KEYS, ListCommands::lindex);
        row("LSET", 4, f(WRITE, DENYOOM), 1, 1, 1, "list", "key index element",
                "Sets the element of a list at an index.", Scope.KEYS, ListCommands::lset);
        row("LINSERT", 5, f(WRITE, DENYOOM), 1, 1, 1, "list", "key BEFORE|AFTER pivot element",
                "Inserts an element before or after the first occurrence of another; returns the new length.",
                Scope.KEYS, ListCommands::linsert);
        row("LREM", 4, f(WRITE), 1, 1, 1, "list", "key count element",
                "Removes occurrences of an element (count > 0 from the head, < 0 from the tail, 0 all); returns how"
                        + " many.", Scope.KEYS, ListCommands::lrem);
        row("LTRIM", 4, f(WRITE), 1, 1, 1, "list", "key start stop",
                "Keeps only the elements of a list between two indexes.", Scope.KEYS, ListCommands::ltrim);
        row("LPOS", -3, f(READONLY), 1, 1, 1, "list", "key element [RANK rank] [COUNT num-matches] [MAXLEN len]",
                "Returns the index of matching elements of a list.", Scope.KEYS, ListCommands::lpos);
        row("LMOVE", 5, f(WRITE, DENYOOM), 1, 2, 1, "list", "source destination LEFT|RIGHT LEFT|RIGHT",
                "Pops an element from one list and pushes it onto another (or the same); returns it.", Scope.KEYS,
                ListCommands::lmove);
        row("RPOPLPUSH", 3, f(WRITE, DENYOOM), 1, 2, 1, "list", "source destination",
                "Pops the last element of a list and prepends it to another; returns it.", Scope.KEYS,
                ListCommands::rpoplpush);
        row("LMPOP", -4, f(WRITE), 2, -1, 1, "list", "numkeys key [key ...] LEFT|RIGHT [COUNT count]",
                "Pops elements from the first non-empty list given.", Scope.KEYS, ListCommands::lmpop);
        row("BLPOP", -3, f(WRITE), 1, -2, 1, "list", "key [key ...] timeout",
                "Pops the first element of the first non-empty list, waiting up to timeout seconds (0: for ever)"
                        + " for one to get elements.", Scope.KEYS, ListCommands::blpop);
        row("BRPOP", -3, f(WRITE), 1, -2, 1, "list", "key [key ...] timeout",
                "Pops the last element of the first non-empty list, waiting up to timeout seconds (0: for ever)"
                        + " for one to get elements.", Scope.KEYS, ListCommands::brpop);
        row("BLMOVE", 6, f(WRITE, DENYOOM), 1, 2, 1, "list", "source destination LEFT|RIGHT LEFT|RIGHT timeout",
                "LMOVE that waits up to timeout seconds (0: for ever) for the source to get elements.", Scope.KEYS,
                ListCommands::blmove);
        row("BRPOPLPUSH", 4, f(WRITE, DENYOOM), 1, 2, 1, "list", "source destination timeout",
                "RPOPLPUSH that waits up to timeout seconds (0: for ever) for the source to get elements.",
                Scope.KEYS, ListCommands::brpoplpush);
        row("BLMPOP", -5, f(WRITE), 3, -1, 1, "list", "timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]",
                "LMPOP that waits up to timeout seconds (0: for ever) for one of the lists to get elements.",
                Scope.KEYS, ListCommands::blmpop);

        // ---- sets ----
        row("SADD", -3, f(WRITE, DENYOOM, FAST), 1, 1, 1, "set", "key member [member ...]",
                "Adds members to a set; returns how many were new.", Scope.KEYS, SetCommands::sadd);
        row("SREM", -3, f(WRITE, FAST), 1, 1, 1, "set", "key member [member ...]",
                "Removes members from a set; returns how many were there. A set left empty is deleted.", Scope.KEYS,
                SetCommands::srem);
        row("SISMEMBER", 3, f(READONLY, FAST), 1, 1, 1, "set", "key member",
                "Returns whether a member is in a set.", Scope.KEYS, SetCommands::sismember);
        row("SMISMEMBER", -3, f(READONLY, FAST), 1, 1, 1, "set", "key member [member ...]",
                "Returns whether each member is in a set.", Scope.KEYS, SetCommands::smismember);
        row("SMEMBERS", 2, f(READONLY), 1, 1, 1, "set", "key",
                "Returns every member of a set.", Scope.KEYS, SetCommands::smembers);
        row("SCARD", 2, f(READONLY, FAST), 1, 1, 1, "set", "key",
                "Returns the number of members of a set.", Scope.KEYS, SetCommands::scard);
        row("SPOP", -2, f(WRITE, FAST), 1, 1, 1, "set", "key [count]",
                "Removes and returns random members of a set.", Scope.KEYS, SetCommands::spop);
        row("SRANDMEMBER", -2, f(READONLY), 1, 1, 1, "set", "key [count]",
                "Returns random members of a set (a negative count may repeat them).", Scope.KEYS,
                SetCommands::srandmember);
        row("SMOVE", 4, f(WRITE, FAST), 1, 2, 1, "set", "source destination member",
                "Moves a member from one set to another.", Scope.KEYS, SetCommands::smove);
        row("SINTER", -2, f(READONLY), 1, -1, 1, "set", "key [key ...]",
                "Returns the members every given set has.", Scope.KEYS, SetCommands::sinter);
        row("SINTERCARD", -3, f(READONLY), 2, -1, 1, "set", "numkeys key [key ...] [LIMIT limit]",
                "Returns how many members every given set has (at most LIMIT).", Scope.KEYS,
                SetCommands::sintercard);
        row("SINTERSTORE", -3, f(WRITE, DENYOOM), 1, -1, 1, "set", "destination key [key ...]",
                "Stores the intersection of sets in a key; returns its size.", Scope.KEYS, SetCommands::sinterstore);
        row("SUNION", -2, f(READONLY), 1, -1, 1, "set", "key [key ...]",
                "Returns the members of all given sets.", Scope.KEYS, SetCommands::sunion);
        row("SUNIONSTORE", -3, f(WRITE, DENYOOM), 1, -1, 1, "set", "destination key [key ...]",
                "Stores the union of sets in a key; returns its size.", Scope.KEYS, SetCommands::sunionstore);
        row("SDIFF", -2, f(READONLY), 1, -1, 1, "set", "key [key ...]",
                "Returns the members of the first set that no other given set has.", Scope.KEYS, SetCommands::sdiff);
        row("SDIFFSTORE", -3, f(WRITE, DENYOOM), 1, -1, 1, "set", "destination key [key ...]",
                "Stores the difference of sets in a key; returns its size.", Scope.KEYS, SetCommands::sdiffstore);
        row("SSCAN", -3, f(READONLY), 1, 1, 1, "set", "key cursor [MATCH pattern] [COUNT count]",
                "Iterates over the members of a set.", Scope.KEYS, SetCommands::sscan);

        // ---- sorted sets ----
        row("ZADD", -4, f(WRITE, DENYOOM, FAST), 1, 1, 1, "sorted-set",
                "key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]",
                "Adds members with scores to a sorted set, or updates their scores; returns how many were new.",
                Scope.KEYS, ZSetCommands::zadd);
        row("ZINCRBY", 4, f(WRITE, DENYOOM, FAST), 1, 1, 1, "sorted-set", "key increment member",
                "Adds to the score of a member of a sorted set; returns the new score.", Scope.KEYS,
                ZSetCommands::zincrby);
        row("ZREM", -3, f(WRITE, FAST), 1, 1, 1, "sorted-set", "key member [member ...]",
                "Removes members from a sorted set; returns how many were there. A set left empty is deleted.",
                Scope.KEYS, ZSetCommands::zrem);
        row("ZCARD", 2, f(READONLY, FAST), 1, 1, 1, "sorted-set", "key",
                "Returns the number of members of a sorted set.", Scope.KEYS, ZSetCommands::zcard);
        row("ZSCORE", 3, f(READONLY, FAST), 1, 1, 1, "sorted-set", "key member",
                "Returns the score of a member of a sorted set.", Scope.KEYS, ZSetCommands::zscore);
        row("ZMSCORE", -3, f(READONLY, FAST), 1, 1, 1, "sorted-set", "key member [member ...]",
                "Returns the scores of members of a sorted set.", Scope.KEYS, ZSetCommands::zmscore);
        row("ZRANK", 3, f(READONLY, FAST), 1, 1, 1, "sorted-set", "key member",
                "Returns the rank of a member in a sorted set, lowest score first.", Scope.KEYS,
                ZSetCommands::zrank);
        row("ZREVRANK", 3, f(READONLY, FAST), 1, 1, 1, "sorted-set", "key member",
                "Returns the rank of a member in a sorted set, highest score first.", Scope.KEYS,
                ZSetCommands::zrevrank);
        row("ZCOUNT", 4, f(READONLY, FAST), 1, 1, 1, "sorted-set", "key min max",
                "Returns how many members of a sorted set have a score within a range.", Scope.KEYS,
                ZSetCommands::zcount);
        row("ZLEXCOUNT", 4, f(READONLY, FAST), 1, 1, 1, "sorted-set", "key min max",
                "Returns how many members of a sorted set are within a lexicographic range.", Scope.KEYS,
                ZSetCommands::zlexcount);
        row("ZRANGE", -4, f(READONLY), 1, 1, 1, "sorted-set",
                "key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]",
                "Returns members of a sorted set by rank, score or lexicographic range.", Scope.KEYS,
                ZSetCommands::zrange);
        row("ZRANGESTORE", -5, f(WRITE, DENYOOM), 1, 2, 1, "sorted-set",
                "dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]",
                "Stores a range of a sorted set in a key; returns its size.", Scope.KEYS, ZSetCommands::zrangestore);
        row("ZREVRANGE", -4, f(READONLY), 1, 1, 1, "sorted-set", "key start stop [WITHSCORES]",
                "Returns members of a sorted set by rank, highest score first.", Scope.KEYS,
                ZSetCommands::zrevrange);
        row("ZRANGEBYSCORE", -4, f(READONLY), 1, 1, 1, "sorted-set",
                "key min max [WITHSCORES] [LIMIT offset count]",
                "Returns members of a sorted set within a score range.", Scope.KEYS, ZSetCommands::zrangebyscore);
        row("ZREVRANGEBYSCORE", -4, f(READONLY), 1, 1, 1, "sorted-set",
                "key max min [WITHSCORES] [LIMIT offset count]",
                "Returns members of a sorted set within a score range, highest first.", Scope.KEYS,
                ZSetCommands::zrevrangebyscore);
        row("ZRANGEBYLEX", -4, f(READONLY), 1, 1, 1, "sorted-set", "key min max [LIMIT offset count]",
                "Returns members of a sorted set within a lexicographic range.", Scope.KEYS,
                ZSetCommands::zrangebylex);
        row("ZREVRANGEBYLEX", -4, f(READONLY), 1, 1, 1, "sorted-set", "key max min [LIMIT offset count]",
                "Returns members of a sorted set within a lexicographic range, in reverse order.", Scope.KEYS,
                ZSetCommands::zrevrangebylex);
        row("ZREMRANGEBYRANK", 4, f(WRITE), 1, 1, 1, "sorted-set", "key start stop",
                "Removes the members of a sorted set within a rank range; returns how many.", Scope.KEYS,
                ZSetCommands::zremrangebyrank);
        row("ZREMRANGEBYSCORE", 4, f(WRITE), 1, 1, 1, "sorted-set", "key min max",
                "Removes the members of a sorted set within a score range; returns how many.", Scope.KEYS,
                ZSetCommands::zremrangebyscore);
        row("ZREMRANGEBYLEX", 4, f(WRITE), 1, 1, 1, "sorted-set", "key min max",
                "Removes the members of a sorted set within a lexicographic range; returns how many.", Scope.KEYS,
                ZSetCommands::zremrangebylex);
        row("ZPOPMIN", -2, f(WRITE, FAST), 1, 1, 1, "sorted-set", "key [count]",
                "Removes and returns the members with the lowest scores.", Scope.KEYS, ZSetCommands::zpopmin);
        row("ZPOPMAX", -2, f(WRITE, FAST), 1, 1, 1, "sorted-set", "key [count]",
                "Removes and returns the members with the highest scores.", Scope.KEYS, ZSetCommands::zpopmax);
        row("ZMPOP", -4, f(WRITE), 2, -1, 1, "sorted-set", "numkeys key [key ...] MIN|MAX [COUNT count]",
                "Removes and returns the lowest or highest members of the first non-empty sorted set given.",
                Scope.KEYS, ZSetCommands::zmpop);
        row("BZPOPMIN", -3, f(WRITE, FAST), 1, -2, 1, "sorted-set", "key [key ...] timeout",
                "Removes and returns the member with the lowest score of the first non-empty sorted set, waiting up "
                        + "to timeout seconds (0: for ever) for one to get members.", Scope.KEYS,
                ZSetCommands::bzpopmin);
        row("BZPOPMAX", -3, f(WRITE, FAST), 1, -2, 1, "sorted-set", "key [key ...] timeout",
                "Removes and returns the member with the highest score of the first non-empty sorted set, waiting "
                        + "up to timeout seconds (0: for ever) for one to get members.", Scope.KEYS,
                ZSetCommands::bzpopmax);
        row("BZMPOP", -5, f(WRITE), 3, -1, 1, "sorted-set",
                "timeout numkeys key [key ...] MIN|MAX [COUNT count]",
                "ZMPOP that waits up to timeout seconds (0: for ever) for one of the sorted sets to get members.",
                Scope.KEYS, ZSetCommands::bzmpop);
        row("ZRANDMEMBER", -2, f(READONLY), 1, 1, 1, "sorted-set", "key [count [WITHSCORES]]",
                "Returns random members of a sorted set (a negative count may repeat them).", Scope.KEYS,
                ZSetCommands::zrandmember);
        row("ZUNION", -3, f(READONLY), 2, -1, 1, "sorted-set",
                "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]",
                "Returns the union of sorted sets (and sets, scoring 1).", Scope.KEYS, ZSetCommands::zunion);
        row("ZINTER", -3, f(READONLY), 2, -1, 1, "sorted-set",
                "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]",
                "Returns the intersection of sorted sets (and sets, scoring 1).", Scope.KEYS, ZSetCommands::zinter);
        row("ZDIFF", -3, f(READONLY), 2, -1, 1, "sorted-set", "numkeys key [key ...] [WITHSCORES]",
                "Returns the members of the first sorted set that no other input has.", Scope.KEYS,
                ZSetCommands::zdiff);
        row("ZUNIONSTORE", -4, f(WRITE, DENYOOM), 1, -1, 1, "sorted-set",
                "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX]",
                "Stores the union of sorted sets in a key; returns its size.", Scope.KEYS, ZSetCommands::zunionstore);
        row("ZINTERSTORE", -4, f(WRITE, DENYOOM), 1, -1, 1, "sorted-set",
                "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX]",
                "Stores the intersection of sorted sets in a key; returns its size.", Scope.KEYS,
                ZSetCommands::zinterstore);
        row("ZDIFFSTORE", -4, f(WRITE, DENYOOM), 1, -1, 1, "sorted-set", "destination numkeys key [key ...]",
                "Stores the difference of sorted sets in a key; returns its size.", Scope.KEYS,
                ZSetCommands::zdiffstore);
        row("ZINTERCARD", -3, f(READONLY), 2, -1, 1, "sorted-set", "numkeys key [key ...] [LIMIT limit]",
                "Returns how many members every given sorted set has (at most LIMIT).", Scope.KEYS,
                ZSetCommands::zintercard);
        row("ZSCAN", -3, f(READONLY), 1, 1, 1, "sorted-set", "key cursor [MATCH pattern] [COUNT count]",
                "Iterates over the members and scores of a sorted set.", Scope.KEYS, ZSetCommands::zscan);

        // ---- generic ----
        row("DEL", -2, f(WRITE), 1, -1, 1, "generic", "key [key ...]",
                "Deletes keys; returns how many existed.", Scope.KEYS, KeyCommands::del);
        row("UNLINK", -2, f(WRITE, FAST), 1, -1, 1, "generic", "key [key ...]",
                "Deletes keys (same as DEL here: memory is freed at once); returns how many existed.", Scope.KEYS,
                KeyCommands::del);
        row("EXISTS", -2, f(READONLY, FAST), 1, -1, 1, "generic", "key [key ...]",
                "Returns how many of the keys exist (a key named twice counts twice).", Scope.KEYS,
                KeyCommands::exists);
        row("TYPE", 2, f(READONLY, FAST), 1, 1, 1, "generic", "key",
                "Returns the Redis type of a key: string (strings and ints), ReJSON-RL (JSON), hash, set or none.",
                Scope.KEYS, KeyCommands::type);
        row("COPY", -3, f(WRITE, DENYOOM), 1, 2, 1, "generic", "source destination [DB destination-db] [REPLACE]",
                "Copies a key's value and TTL to another key; returns 1 when copied.", Scope.KEYS, KeyCommands::copy);
        row("OBJECT", -2, f(READONLY), 2, -1, 1, "generic", "ENCODING|REFCOUNT|FREQ key",
                "Inspects how a key's value is kept: its encoding (listpack, hashtable, int, embstr, raw) and more.",
                Scope.KEYS, KeyCommands::object);
        row("RENAME", 3, f(WRITE), 1, 2, 1, "generic", "key newkey",
                "Renames a key, replacing the target if it exists.", Scope.KEYS, KeyCommands::rename);
        row("RENAMENX", 3, f(WRITE, FAST), 1, 2, 1, "generic", "key newkey",
                "Renames a key only when the new name does not exist.", Scope.KEYS, KeyCommands::renamenx);
        row("KEYS", 2, f(READONLY), 0, 0, 0, "generic", "pattern",
                "Returns every key matching a glob pattern (walks the whole keyspace: prefer SCAN).", Scope.SELF,
                KeyspaceCommands::keys);
        row("SCAN", -2, f(READONLY), 0, 0, 0, "generic", "cursor [MATCH pattern] [COUNT count] [TYPE type]",
                "Iterates over keys a bounded batch at a time.", Scope.SELF, KeyspaceCommands::scan);
        row("RANDOMKEY", 1, f(READONLY), 0, 0, 0, "generic", "",
                "Returns a random existing key.", Scope.SELF, KeyspaceCommands::randomkey);
        row("DBSIZE", 1, f(READONLY, FAST), 0, 0, 0, "server", "",
                "Returns the number of keys.", Scope.SELF, KeyspaceCommands::dbsize);
        row("FLUSHALL", -1, f(WRITE, ADMIN), 0, 0, 0, "server", "[ASYNC|SYNC]",
                "Deletes every key.", Scope.ALL_SHARDS, KeyspaceCommands::flushall);
        row("FLUSHDB", -1, f(WRITE, ADMIN), 0, 0, 0, "server", "[ASYNC|SYNC]",
                "Deletes every key (qrrot has one database).", Scope.ALL_SHARDS, KeyspaceCommands::flushall);

        // ---- expiry ----
        row("EXPIRE", -3, f(WRITE, FAST), 1, 1, 1, "generic", "key seconds [NX|XX|GT|LT]",
                "Sets a key's time to live in seconds.", Scope.KEYS, ExpireCommands::expire);
        row("PEXPIRE", -3, f(WRITE, FAST), 1, 1, 1, "generic", "key milliseconds [NX|XX|GT|LT]",
                "Sets a key's time to live in milliseconds.", Scope.KEYS, ExpireCommands::pexpire);
        row("EXPIREAT", -3, f(WRITE, FAST), 1, 1, 1, "generic", "key unix-time-seconds [NX|XX|GT|LT]",
                "Sets the expiration of a key as a Unix time in seconds.", Scope.KEYS, ExpireCommands::expireat);
        row("PEXPIREAT", -3, f(WRITE, FAST), 1, 1, 1, "generic", "key unix-time-milliseconds [NX|XX|GT|LT]",
                "Sets the expiration of a key as a Unix time in milliseconds.", Scope.KEYS,
                ExpireCommands::pexpireat);
        row("TTL", 2, f(READONLY, FAST), 1, 1, 1, "generic", "key",
                "Returns a key's time to live in seconds (-1 none, -2 no such key).", Scope.KEYS,
                ExpireCommands::ttl);
        row("PTTL", 2, f(READONLY, FAST), 1, 1, 1, "generic", "key",
                "Returns a key's time to live in milliseconds (-1 none, -2 no such key).", Scope.KEYS,
                ExpireCommands::pttl);
        row("EXPIRETIME", 2, f(READONLY, FAST), 1, 1, 1, "generic", "key",
                "Returns a key's expiration as a Unix time in seconds (-1 none, -2 no such key).", Scope.KEYS,
                ExpireCommands::expiretime);
        row("PEXPIRETIME", 2, f(READONLY, FAST), 1, 1, 1, "generic", "key",
                "Returns a key's expiration as a Unix time in milliseconds (-1 none, -2 no such key).",
                Scope.KEYS, ExpireCommands::pexpiretime);
        row("PERSIST", 2, f(WRITE, FAST), 1, 1, 1, "generic", "key",
                "Removes a key's expiration.", Scope.KEYS, ExpireCommands::persist);

        // ---- transactions ----
        txRow("MULTI", 1, f(FAST), 0, 0, 0, "", "Starts a transaction.", Transactions::multi);
        txRow("EXEC", 1, f(), 0, 0, 0, "",
                "Runs the queued commands atomically; nil when a WATCHed key changed.", Transactions::exec);
        txRow("DISCARD", 1, f(FAST), 0, 0, 0, "", "Drops the queued commands.", Transactions::discard);
        row("WATCH", -2, f(FAST), 1, -1, 1, "transactions", "key [key ...]",
                "Makes the next EXEC fail if any of these keys changes first.", Scope.KEYS, true,
                Transactions::watch);
        row("UNWATCH", 1, f(FAST), 0, 0, 0, "transactions", "",
                "Forgets every WATCHed key.", Scope.NONE, Transactions::unwatch);

        // ---- qrrot ----
        row("PUT", -3, f(WRITE, DENYOOM), 1, 1, 1, "qrrot", "key value [string|int|json]",
                "Sets a key to a value of an explicit qrrot type (JSON is validated and stored compact).",
                Scope.KEYS, QrrotCommands::put);
        row("ALL", -1, f(READONLY), 0, 0, 0, "qrrot", "[cursor] [COUNT count]",
                "Iterates over keys with their qrrot type and value, a bounded batch at a time.", Scope.SELF,
                QrrotCommands::all);
        row("JSON.SET", -4, f(WRITE, DENYOOM), 1, 1, 1, "json", "key path value [NX|XX]",
                "Sets a JSON value at a path ($, .field, [\"field\"], [index]).", Scope.KEYS,
                JsonCommands::set);
        row("JSON.GET", -2, f(READONLY), 1, 1, 1, "json", "key [path]",
                "Returns the JSON value at a path.", Scope.KEYS, JsonCommands::get);
    }

    private static Set<CommandSpec.Flag> f(CommandSpec.Flag... flags) {
        Set<CommandSpec.Flag> s = EnumSet.noneOf(CommandSpec.Flag.class);
        Collections.addAll(s, flags);
        return Collections.unmodifiableSet(s);
    }

    private void row(String name, int arity, Set<CommandSpec.Flag> flags, int first, int last, int step, String group,
                     String syntax, String summary, Scope scope, Handler handler) {
        row(name, arity, flags, first, last, step, group, syntax, summary, scope, false, handler);
    }

    private void txRow(String name, int arity, Set<CommandSpec.Flag> flags, int first, int last, int step,
                       String syntax, String summary, Handler handler) {
        row(name, arity, flags, first, last, step, "transactions", syntax, summary, Scope.NONE, true, handler);
    }

    private void row(String name, int arity, Set<CommandSpec.Flag> flags, int first, int last, int step, String group,
                     String syntax, String summary, Scope scope, boolean txControl, Handler handler) {
        commands.add(new Command(new CommandSpec(name, arity, flags, first, last, step, group, syntax, summary),
                scope, txControl, handler));
    }

    List<CommandSpec> specs() {
        return specs;
    }

    /** The command named by argument 0 (ASCII case-insensitive), or null. Allocation-free. */
    Command lookup(CommandArgs args) {
        byte[] a = args.array();
        int off = args.offset(0);
        int len = args.length(0);
        int i = hash(a, off, len) & mask;
        Command c;
        while ((c = slots[i]) != null) {
            if (nameEquals(c.name, a, off, len)) {
                return c;
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    Command lookup(String name) {
        return lookup(CommandArgs.of(name));
    }

    private static boolean nameEquals(byte[] upper, byte[] a, int off, int len) {
        if (upper.length != len) {
            return false;
        }
        for (int k = 0; k < len; k++) {
            int c = a[off + k];
            if (c >= 'a' && c <= 'z') {
                c -= 32;
            }
            if (c != upper[k]) {
                return false;
            }
        }
        return true;
    }

    /** FNV-1a over the upper-cased bytes. */
    private static int hash(byte[] a, int off, int len) {
        int h = 0x811C9DC5;
        for (int k = 0; k < len; k++) {
            int c = a[off + k];
            if (c >= 'a' && c <= 'z') {
                c -= 32;
            }
            h = (h ^ (c & 0xFF)) * 0x01000193;
        }
        return h ^ (h >>> 16);
    }
}
