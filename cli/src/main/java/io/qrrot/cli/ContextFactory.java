package io.qrrot.cli;

import java.lang.reflect.Constructor;
import picocli.CommandLine;

/** Creates subcommands, passing the {@link CliContext} to those with a {@code (CliContext)} constructor. */
final class ContextFactory implements CommandLine.IFactory {
    private final CliContext ctx;
    private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

    ContextFactory(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
        try {
            Constructor<K> c = cls.getConstructor(CliContext.class);
            return c.newInstance(ctx);
        } catch (NoSuchMethodException e) {
            return fallback.create(cls);
        }
    }
}
