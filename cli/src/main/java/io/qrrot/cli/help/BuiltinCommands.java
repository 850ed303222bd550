package io.qrrot.cli.help;

import java.util.List;

/**
 * The client's own table of commands (the data, transaction, connection and server commands qrrot serves),
 * used until the server's {@code COMMAND DOCS} is known.
 */
final class BuiltinCommands {
    private BuiltinCommands() {
    }

    private static CommandHelp c(String name, String group, String syntax, String summary) {
        return new CommandHelp(name, syntax, summary, group);
    }

    static final List<CommandHelp> ALL = List.of(
            // string
            c("APPEND", "string", "key value", "Appends a string to the value of a key; creates the key if missing."),
            c("DECR", "string", "key", "Decrements the integer value of a key by one."),
            c("DECRBY", "string", "key decrement", "Decrements the integer value of a key by a number."),
            c("GET", "string", "key", "Returns the string value of a key."),
            c("GETDEL", "string", "key", "Returns the string value of a key and deletes the key."),
            c("GETEX", "string", "key [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST]",
                    "Returns the string value of a key and sets or removes its expiration."),
            c("GETSET", "string", "key value", "Sets the string value of a key and returns the previous value."),
            c("INCR", "string", "key", "Increments the integer value of a key by one."),
            c("INCRBY", "string", "key increment", "Increments the integer value of a key by a number."),
            c("MGET", "string", "key [key ...]", "Returns the values of several keys."),
            c("MSET", "string", "key value [key value ...]", "Sets several keys at once, atomically."),
            c("MSETNX", "string", "key value [key value ...]", "Sets several keys at once only if none of them exists."),
            c("SET", "string",
                    "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]",
                    "Sets the string value of a key, with an optional condition and expiration."),
            c("SETEX", "string", "key seconds value", "Sets the value and the expiration of a key in seconds."),
            c("SETNX", "string", "key value", "Sets the value of a key only if the key does not exist."),
            c("STRLEN", "string", "key", "Returns the length of the value of a key in bytes."),
            // generic
            c("DEL", "generic", "key [key ...]", "Deletes keys; returns how many existed."),
            c("EXISTS", "generic", "key [key ...]", "Counts how many of the given keys exist."),
            c("EXPIRE", "generic", "key seconds [NX|XX|GT|LT]", "Sets a key's time to live in seconds."),
            c("EXPIREAT", "generic", "key unix-time-seconds [NX|XX|GT|LT]", "Sets a key's expiration as a Unix time in seconds."),
            c("KEYS", "generic", "pattern", "Returns all keys matching a pattern (walks the whole keyspace: prefer SCAN)."),
            c("PERSIST", "generic", "key", "Removes the expiration of a key."),
            c("PEXPIRE", "generic", "key milliseconds [NX|XX|GT|LT]", "Sets a key's time to live in milliseconds."),
            c("PEXPIREAT", "generic", "key unix-time-milliseconds [NX|XX|GT|LT]",
                    "Sets a key's expiration as a Unix time in milliseconds."),
            c("PTTL", "generic", "key", "Returns a key's time to live in milliseconds."),
            c("RANDOMKEY", "generic", "", "Returns a random key."),
            c("RENAME", "generic", "key newkey", "Renames a key, overwriting the destination."),
            c("RENAMENX", "generic", "key newkey", "Renames a key only if the new name does not exist."),
            c("SCAN", "generic", "cursor [MATCH pattern] [COUNT count] [TYPE type]", "Iterates over the keys incrementally."),
            c("TTL", "generic", "key", "Returns a key's time to live in seconds (-1 no expiry, -2 no key)."),
            c("TYPE", "generic", "key", "Returns the type of the value stored at a key."),
            c("UNLINK", "generic", "key [key ...]", "Deletes keys (same as DEL)."),
            // json
            c("JSON.DEL", "json", "key [path]", "Deletes a JSON value at a path."),
            c("JSON.GET", "json", "key [path ...]", "Returns the JSON value at one or more paths."),
            c("JSON.SET", "json", "key path value [NX|XX]", "Sets the JSON value at a path."),
            c("JSON.TYPE", "json", "key [path]", "Returns the type of the JSON value at a path."),
            // transactions
            c("DISCARD", "transactions", "", "Discards a transaction."),
            c("EXEC", "transactions", "", "Executes all commands queued since MULTI; nil if a WATCHed key changed."),
            c("MULTI", "transactions", "", "Starts a transaction."),
            c("UNWATCH", "transactions", "", "Forgets all WATCHed keys."),
            c("WATCH", "transactions", "key [key ...]", "Makes the next EXEC fail if any of these keys changes first."),
            // pubsub
            c("PSUBSCRIBE", "pubsub", "pattern [pattern ...]",
                    "Listens for messages published to channels that match patterns."),
            c("PUBLISH", "pubsub", "channel message",
                    "Posts a message to a channel; returns how many subscribers received it. Messages are not durable."),
            c("PUBSUB", "pubsub", "CHANNELS [pattern]|NUMSUB [channel ...]|NUMPAT",
                    "Inspects the state of the Pub/Sub subsystem."),
            c("PUNSUBSCRIBE", "pubsub", "[pattern [pattern ...]]",
                    "Stops listening to messages published to channels that match patterns."),
            c("SUBSCRIBE", "pubsub", "channel [channel ...]", "Listens for messages published to channels."),
            c("UNSUBSCRIBE", "pubsub", "[channel [channel ...]]", "Stops listening to messages posted to channels."),
            // connection
            c("AUTH", "connection", "[username] password", "Authenticates the connection."),
            c("CLIENT SETNAME", "connection", "connection-name", "Sets the connection's name."),
            c("ECHO", "connection", "message", "Returns the given string."),
            c("HELLO", "connection", "[protover [AUTH username password] [SETNAME clientname]]",
                    "Handshakes with the server, optionally switching protocol version."),
            c("PING", "connection", "[message]", "Returns PONG, or the message."),
            c("QUIT", "connection", "", "Closes the connection."),
            c("SELECT", "connection", "index", "Changes the selected database."),
            // server
            c("COMMAND DOCS", "server", "[command-name [command-name ...]]", "Returns documentation about commands."),
            c("CONFIG GET", "server", "parameter [parameter ...]", "Returns configuration parameters."),
            c("CONFIG SET", "server", "parameter value [parameter value ...]", "Changes configuration parameters."),
            c("DBSIZE", "server", "", "Returns the number of keys."),
            c("FLUSHALL", "server", "[ASYNC|SYNC]", "Deletes every key."),
            c("FLUSHDB", "server", "[ASYNC|SYNC]", "Deletes every key of the selected database."),
            c("INFO", "server", "[section [section ...]]", "Returns information and statistics about the server."),
            c("SAVE", "server", "", "Writes a snapshot of the data set now."),
            c("SHUTDOWN", "server", "[NOSAVE|SAVE] [NOW] [FORCE] [ABORT]", "Stops the server."),
            c("TIME", "server", "", "Returns the server time."));
}
