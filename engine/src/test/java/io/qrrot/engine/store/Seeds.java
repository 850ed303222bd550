package io.qrrot.engine.store;

/** Seeds for randomized tests: {@code -Dqrrot.seed=N} replays a failure; otherwise a fresh seed per run. */
final class Seeds {
    private Seeds() {
    }

    static long seed() {
        Long fixed = Long.getLong("qrrot.seed");
        return fixed != null ? fixed : System.nanoTime() ^ Thread.currentThread().getId() * 0x9E3779B97F4A7C15L;
    }
}
