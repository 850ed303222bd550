package io.qrrot.engine;

/**
 * Wall-clock time in milliseconds since the epoch, injected so commands never read the system clock
 * directly: TTL tests run on a fake clock, and effects carry absolute times computed once.
 */
@FunctionalInterface
public interface Clock {
    long millis();

    Clock SYSTEM = System::currentTimeMillis;
}
