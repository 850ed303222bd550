package io.qrrot.testkit;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/** Addresses of this machine that tests of the access rules connect from. */
public final class Addresses {
    private Addresses() {
    }

    /**
     * An IPv4 address of an interface that is up and not loopback: a client connecting from it to this machine is
     * not a loopback client (protected mode refuses it). Null when the machine has none.
     */
    public static InetAddress nonLoopbackIpv4() throws SocketException {
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isUp() || ni.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                    return a;
                }
            }
        }
        return null;
    }
}
