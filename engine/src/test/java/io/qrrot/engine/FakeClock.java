package io.qrrot.engine;

/** A clock tests move by hand. */
final class FakeClock implements Clock {
    volatile long now;

    FakeClock(long start) {
        now = start;
    }

    @Override
    public long millis() {
        return now;
    }

    void advance(long ms) {
        now += ms;
    }
}
