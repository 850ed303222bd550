package io.qrrot.cli.resp;

/**
 * Where and how to connect.
 *
 * @param host                 server host name or address
 * @param port                 server port
 * @param user                 ACL user for AUTH/HELLO; null means the default user
 * @param password             password; null means no authentication
 * @param resp3                send {@code HELLO 3} after connecting and fall back to RESP2 if it is refused
 * @param connectTimeoutMillis how long to wait for the TCP connection (0 = the OS default)
 * @param readTimeoutMillis    how long to wait for each reply (0 = forever, as redis-cli does)
 */
public record RespConfig(String host, int port, String user, String password, boolean resp3,
                         int connectTimeoutMillis, int readTimeoutMillis) {

    public static final int DEFAULT_PORT = 6379;
    public static final int DEFAULT_CONNECT_TIMEOUT_MILLIS = 5_000;

    public static RespConfig of(String host, int port) {
        return new RespConfig(host, port, null, null, false, DEFAULT_CONNECT_TIMEOUT_MILLIS, 0);
    }

    public RespConfig withResp3(boolean v) {
        return new RespConfig(host, port, user, password, v, connectTimeoutMillis, readTimeoutMillis);
    }

    public RespConfig withPassword(String v) {
        return new RespConfig(host, port, user, v, resp3, connectTimeoutMillis, readTimeoutMillis);
    }

    public RespConfig withUser(String v) {
        return new RespConfig(host, port, v, password, resp3, connectTimeoutMillis, readTimeoutMillis);
    }

    public RespConfig withReadTimeoutMillis(int v) {
        return new RespConfig(host, port, user, password, resp3, connectTimeoutMillis, v);
    }

    /** The same settings (credentials, protocol, timeouts) for another server. */
    public RespConfig withAddress(String h, int p) {
        return new RespConfig(h, p, user, password, resp3, connectTimeoutMillis, readTimeoutMillis);
    }

    public RespConfig withConnectTimeoutMillis(int v) {
        return new RespConfig(host, port, user, password, resp3, v, readTimeoutMillis);
    }

    /** {@code host:port}, IPv6 addresses in brackets, as redis-cli prints them. */
    public String address() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
