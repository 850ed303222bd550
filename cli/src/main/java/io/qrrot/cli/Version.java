package io.qrrot.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/** The build's version, from a resource Maven fills in. */
public final class Version implements CommandLine.IVersionProvider {
    public static final String VERSION = load();

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("/io/qrrot/cli/version.properties")) {
            if (in == null) {
                throw new IllegalStateException("io/qrrot/cli/version.properties missing from the classpath");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"qrrot " + VERSION};
    }
}
