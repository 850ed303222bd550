package io.qrrot.server;

import io.qrrot.engine.CommandSpec;
import io.qrrot.engine.CommandSpec.Flag;
import java.util.EnumSet;

/**
 * The commands the server answers itself; everything else goes to the database facade. Each row is the
 * same {@link CommandSpec} data the facade publishes for its commands, so COMMAND, the dispatch gate and
 * the CLI's help read one table.
 */
enum ServerCommand {
    PING(-1, "connection", "[message]", "Returns the server's liveliness response.", true, Flag.FAST, Flag.CONNECTION),
    ECHO(2, "connection", "message", "Returns the given string.", false, Flag.FAST, Flag.CONNECTION),
    TIME(1, "server", "", "Returns the server time as seconds and microseconds.", false, Flag.FAST),
    QUIT(-1, "connection", "", "Closes the connection.", true, Flag.FAST, Flag.NO_AUTH, Flag.CONNECTION),
    RESET(1, "connection", "", "Resets the connection: ends a transaction, forgets the name, RESP2, unauthenticated.",
            true, Flag.FAST, Flag.NO_AUTH, Flag.CONNECTION),
    SELECT(2, "connection", "index", "Changes the selected database (only database 0 exists).", false, Flag.FAST,
            Flag.CONNECTION),
    AUTH(-2, "connection", "[username] password", "Authenticates the connection.", false, Flag.FAST, Flag.NO_AUTH,
            Flag.CONNECTION),
    HELLO(-1, "connection", "[protover [AUTH username password] [SETNAME clientname]]",
            "Handshakes with the server: protocol version, authentication, client name.", false, Flag.FAST,
            Flag.NO_AUTH, Flag.CONNECTION),
    CLIENT(-2, "connection", "ID|SETNAME name|GETNAME|SETINFO LIB-NAME|LIB-VER value|LIST|INFO|KILL filter ...",
            "Inspects and manages client connections.", false, Flag.CONNECTION),
    COMMAND(-1, "server", "[COUNT|DOCS [name ...]|INFO [name ...]|LIST]", "Describes the server's commands.", false,
            Flag.CONNECTION),
    CONFIG(-2, "server", "GET pattern [pattern ...]|SET parameter value [parameter value ...]|RESETSTAT|REWRITE",
            "Reads or changes server settings.", false, Flag.ADMIN),
    INFO(-1, "server", "[section ...]", "Returns information and statistics about the server.", false),
    SAVE(1, "server", "", "Writes a snapshot of the database now and waits for it.", false, Flag.ADMIN,
            Flag.NO_MULTI),
    BGSAVE(-1, "server", "[SCHEDULE]", "Writes a snapshot of the database in the background.", false, Flag.ADMIN),
    LASTSAVE(1, "server", "", "Returns the Unix time of the last successful snapshot.", false, Flag.FAST),
    SHUTDOWN(-1, "server", "[NOSAVE|SAVE] [NOW] [FORCE]",
            "Stops the server after the replies awaiting durability are sent.", false, Flag.ADMIN, Flag.NO_MULTI),
    SNAPSHOT(-2, "server", "BEGIN|READ lsn offset count|END",
            "Streams a consistent snapshot: BEGIN writes one and keeps its file open for this connection, READ returns "
                    + "its bytes in chunks, END closes it.", false, Flag.ADMIN, Flag.NO_MULTI),
    SLOWLOG(-2, "server", "GET [count]|LEN|RESET|HELP",
            "Reads or resets the log of commands slower than slowlog-log-slower-than microseconds.", false,
            Flag.ADMIN),
    LATENCY(-2, "server", "LATEST|HISTORY event|RESET [event ...]|DOCTOR|HELP",
            "Reads or resets the latency monitor's samples (command, fast-command, wal-fsync, compaction).",
            false, Flag.ADMIN),
    MEMORY(-2, "server", "USAGE key [SAMPLES count]|STATS|DOCTOR|MALLOC-STATS|PURGE|HELP",
            "Reports the memory a key takes, or the store's memory figures.", false),
    SUBSCRIBE(-2, "pubsub", "channel [channel ...]", "Listens for messages published to channels.", false,
            Flag.CONNECTION),
    UNSUBSCRIBE(-1, "pubsub", "[channel [channel ...]]",
            "Stops listening to messages posted to channels (all of them without arguments).", false,
            Flag.CONNECTION),
    PSUBSCRIBE(-2, "pubsub", "pattern [pattern ...]", "Listens for messages published to channels that match patterns.",
            false, Flag.CONNECTION),
    PUNSUBSCRIBE(-1, "pubsub", "[pattern [pattern ...]]",
            "Stops listening to messages published to channels that match patterns (all of them without arguments).",
            false, Flag.CONNECTION),
    PUBLISH(3, "pubsub", "channel message",
            "Posts a message to a channel; returns how many subscribers received it. Messages are not durable.", false,
            Flag.FAST),
    PUBSUB(-2, "pubsub", "CHANNELS [pattern]|NUMSUB [channel ...]|NUMPAT",
            "Inspects the state of the Pub/Sub subsystem.", false),
    CLUSTER(-2, "cluster", "INFO|MYID|SLOTS|SHARDS|NODES|KEYSLOT key|FAILOVER [FORCE|TAKEOVER]|HELP",
            "Describes the replicated group the way Redis Cluster does: members, the leader, its slots.", false),
    READONLY(1, "cluster", "", "Lets this connection read from a follower (replies may lag the leader).", false,
            Flag.FAST, Flag.CONNECTION),
    READWRITE(1, "cluster", "", "Ends READONLY: reads on a follower are redirected to the leader again.", false,
            Flag.FAST, Flag.CONNECTION),
    ASKING(1, "cluster", "", "Accepted for Redis Cluster clients; slots never migrate between groups yet.", false,
            Flag.FAST, Flag.CONNECTION),
    ROLE(1, "server", "", "Returns this node's role: the leader (master) with its followers, or a follower (slave).",
            false, Flag.FAST);

    final CommandSpec spec;
    /** True when the command runs at once even inside MULTI (Redis never queues QUIT or RESET). */
    final boolean immediateInMulti;

    ServerCommand(int arity, String group, String syntax, String summary, boolean immediateInMulti, Flag... flags) {
        EnumSet<Flag> set = EnumSet.noneOf(Flag.class);
        for (Flag f : flags) {
            set.add(f);
        }
        this.spec = new CommandSpec(name(), arity, java.util.Collections.unmodifiableSet(set), 0, 0, 0, group,
                syntax, summary);
        this.immediateInMulti = immediateInMulti;
    }
}
