package io.qrrot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.cli.embedded.EmbeddedClient;
import io.qrrot.cli.testing.CliRun;
import io.qrrot.recovery.DurableQrrot;
import io.qrrot.recovery.QrrotOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every verb that takes a data directory ({@code cli --embedded}, {@code ai --embedded}, {@code snapshot
 * save|restore --wal}, {@code wal check|dump}, {@code serve --wal}) refuses a path that is not one, saying
 * what is wrong, and makes a new one only where asked to ({@code cli --create}) or where that is the verb's
 * job ({@code serve}, {@code snapshot restore}); {@code serve} refuses only a file or another data directory's
 * {@code wal/} or {@code snapshots/}. Exit status: 0 ok, 1 refused, 2 usage.
 */
class DataDirectoryArgumentsTest {
    static final QrrotOptions SMALL = QrrotOptions.defaults().withWal(1 << 20, 256L << 20, 3_600_000L);

    @TempDir
    Path tmp;

    Path data;
    Path file;
    Path project;
    Path empty;
    Path missing;

    @BeforeEach
    void paths() throws Exception {
        data = tmp.resolve("data");
        try (DurableQrrot db = DurableQrrot.open(data, SMALL); EmbeddedClient c = new EmbeddedClient(db, 2)) {
            c.call("SET", "k", "v");
        }
        file = Files.writeString(tmp.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        project = Files.createDirectory(tmp.resolve("project"));
        Files.writeString(project.resolve("users.csv"), "id,name\n");
        empty = Files.createDirectory(tmp.resolve("empty"));
        missing = tmp.resolve("missing");
    }

    private static CliRun.Result qrrot(String... args) {
        return new CliRun().env("GEMINI_API_KEY", "k").run(args);
    }

    private static void refused(CliRun.Result r, String err) {
        assertEquals(err + "\n", r.err());
        assertEquals(1, r.exit());
        assertEquals("", r.out());
    }

    /**
     * The names in {@code dir}, but the next WAL segment a live database preallocates in the background
     * ({@code next.wal.tmp}), which may appear at any moment after it opens.
     */
    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("next.wal.tmp")).sorted().toList();
        }
    }

    private String notData(Path dir) {
        return dir + " is not a qrrot data directory (no wal/ or snapshots/ in it); give the directory that qrrot serve"
                + " --wal uses";
    }

    private String walOfData() {
        return data.resolve("wal") + " is not a qrrot data directory (no wal/ or snapshots/ in it); it is the wal/"
                + " directory of the data directory " + data + ": give " + data;
    }

    private String isAFile() {
        return file + " is a file, not a qrrot data directory";
    }

    @Test
    void embeddedRefusesAPathThatIsNotADataDirectory() throws Exception {
        try (DurableQrrot live = DurableQrrot.open(data, SMALL)) {
            // The reported case: a live server's WAL directory; nothing may be made inside it.
            List<String> before = names(data.resolve("wal"));
            refused(qrrot("cli", "--embedded", data.resolve("wal").toString(), "GET", "k"), "qrrot cli: " + walOfData());
            refused(qrrot("cli", "--embedded", data.resolve("wal").toString(), "--create", "GET", "k"),
                    "qrrot cli: " + walOfData());
            assertEquals(before, names(data.resolve("wal")));
        }
        refused(qrrot("cli", "--embedded", file.toString(), "GET", "k"), "qrrot cli: " + isAFile());
        refused(qrrot("cli", "--embedded", project.toString(), "--create", "GET", "k"), "qrrot cli: " + notData(project));
        assertEquals(List.of("users.csv"), names(project));
        refused(qrrot("ai", "--embedded", file.toString(), "how many keys?"), "qrrot ai: " + isAFile());
        refused(qrrot("ai", "--embedded", data.resolve("wal").toString(), "how many keys?"), "qrrot ai: " + walOfData());
    }

    @Test
    void embeddedMakesANewDataDirectoryOnlyWithCreate() throws Exception {
        refused(qrrot("cli", "--embedded", missing.toString(), "SET", "k", "v"),
                "qrrot cli: no such data directory: " + missing + "; pass --create to make a new data directory there");
        assertFalse(Files.exists(missing));
        refused(qrrot("cli", "--embedded", empty.toString(), "SET", "k", "v"), "qrrot cli: " + empty
                + " is not a qrrot data directory (it is empty); pass --create to make a new data directory there");
        assertEquals(List.of(), names(empty));
        refused(qrrot("ai", "--embedded", missing.toString(), "how many keys?"),
                "qrrot ai: no such data directory: " + missing);

        CliRun.Result created = qrrot("cli", "--embedded", missing.toString(), "--create", "SET", "k", "v");
        assertEquals("qrrot cli: created a new data directory " + missing + "\n", created.err());
        assertEquals(0, created.exit());
        assertEquals("OK\n", created.out());
        CliRun.Result again = qrrot("cli", "--embedded", missing.toString(), "DBSIZE");
        assertEquals("", again.err(), "an existing data directory opens without --create, silently");
        assertEquals(0, again.exit());
        assertEquals("(integer) 1\n", again.out());
        CliRun.Result intoEmpty = qrrot("cli", "--embedded", empty.toString(), "--create", "DBSIZE");
        assertEquals("qrrot cli: created a new data directory " + empty + "\n", intoEmpty.err());
        assertEquals(0, intoEmpty.exit());
        assertEquals(List.of("LOCK", "snapshots", "wal"), names(empty));
        CliRun.Result existing = qrrot("cli", "--embedded", data.toString(), "--create", "GET", "k");
        assertEquals("", existing.err(), "--create on a data directory just opens it");
        assertEquals("\"v\"\n", existing.out());

        CliRun.Result usage = qrrot("cli", "--create", "GET", "k");
        assertEquals(2, usage.exit());
        assertEquals("qrrot cli: --create goes with --embedded DIR (it makes a new data directory there)",
                usage.err().lines().findFirst().orElse(""));
    }

    @Test
    void walVerbsTakeADataDirectoryOrItsWalDirectoryOnly() throws Exception {
        for (String verb : List.of("check", "dump")) {
            String v = "qrrot wal " + verb + ": ";
            refused(qrrot("wal", verb, project.toString()), v + notData(project));
            refused(qrrot("wal", verb, file.toString()), v + isAFile());
            refused(qrrot("wal", verb, missing.toString()), v + "no such data directory: " + missing);
            refused(qrrot("wal", verb, empty.toString()), v + empty + " is not a qrrot data directory (it is empty)");
            refused(qrrot("wal", verb, data.resolve("snapshots").toString()), v + data.resolve("snapshots")
                    + " is not a qrrot data directory (no wal/ or snapshots/ in it); it is the snapshots/ directory of"
                    + " the data directory " + data + ": give " + data);
            CliRun.Result ofData = qrrot("wal", verb, data.toString());
            assertEquals(0, ofData.exit(), ofData.err());
            CliRun.Result ofWal = qrrot("wal", verb, data.resolve("wal").toString());
            assertEquals(0, ofWal.exit(), ofWal.err());
            assertEquals(ofData.out().replace(data.resolve("wal").toString(), "WAL"),
                    ofWal.out().replace(data.resolve("wal").toString(), "WAL"));
        }
        assertEquals(List.of("users.csv"), names(project));
        assertEquals(List.of(), names(empty));
    }

    @Test
    void snapshotVerbsRefuseAPathThatIsNotADataDirectory() throws Exception {
        Path out = tmp.resolve("backup.qrrt");
        String save = "qrrot snapshot save: ";
        refused(qrrot("snapshot", "save", "--wal", project.toString(), out.toString()), save + notData(project));
        refused(qrrot("snapshot", "save", "--wal", file.toString(), out.toString()), save + isAFile());
        refused(qrrot("snapshot", "save", "--wal", data.resolve("wal").toString(), out.toString()), save + walOfData());
        refused(qrrot("snapshot", "save", "--wal", missing.toString(), out.toString()),
                save + "no such data directory: " + missing);
        refused(qrrot("snapshot", "save", "--wal", empty.toString(), out.toString()),
                save + empty + " is not a qrrot data directory (it is empty)");
        assertFalse(Files.exists(missing));
        assertEquals(List.of(), names(empty));

        CliRun.Result saved = qrrot("snapshot", "save", "--wal", data.toString(), out.toString());
        assertEquals(0, saved.exit(), saved.err());
        String restore = "qrrot snapshot restore: ";
        refused(qrrot("snapshot", "restore", out.toString(), "--wal", file.toString()),
                restore + file + ": it exists and is not a directory; restore into a new or empty directory");
        refused(qrrot("snapshot", "restore", out.toString(), "--wal", project.toString()), restore
                + "refusing to restore into " + project + ": the directory is not empty (it holds users.csv); restore"
                + " into a new or empty directory, or move this one aside first");
        CliRun.Result restored = qrrot("snapshot", "restore", out.toString(), "--wal", missing.toString());
        assertEquals(0, restored.exit(), restored.err());
        assertTrue(restored.out().startsWith("restored " + out + " into " + missing + ": 1 keys at LSN "),
                restored.out());
    }

    @Test
    void serveRefusesAFileOrAnotherDataDirectorysWalBeforeStarting() throws Exception {
        String serve = "qrrot serve: ";
        refused(qrrot("serve", "--wal", file.toString(), "--port", "0"), serve + isAFile());
        refused(qrrot("serve", "--wal", data.resolve("wal").toString(), "--port", "0"), serve + walOfData());
        refused(qrrot("serve", "--wal", data.resolve("snapshots").toString(), "--port", "0"), serve
                + data.resolve("snapshots") + " is not a qrrot data directory (no wal/ or snapshots/ in it); it is the"
                + " snapshots/ directory of the data directory " + data + ": give " + data);
    }

    /** A path under a file: every verb that takes a data directory says that the file is not a directory. */
    @Test
    void aPathUnderAFileSaysWhyEverywhere() throws Exception {
        Path under = file.resolve("data");
        String why = "no such data directory: " + under + " (" + file + " is not a directory)";
        refused(qrrot("cli", "--embedded", under.toString(), "GET", "k"), "qrrot cli: " + why);
        refused(qrrot("cli", "--embedded", under.toString(), "--create", "GET", "k"),
                "qrrot cli: cannot open " + under + ": " + file + " is not a directory");
        refused(qrrot("ai", "--embedded", under.toString(), "how many keys?"), "qrrot ai: " + why);
        refused(qrrot("snapshot", "save", "--wal", under.toString(), tmp.resolve("out.qrrt").toString()),
                "qrrot snapshot save: " + why);
        refused(qrrot("wal", "check", under.toString()), "qrrot wal check: " + why);
        refused(qrrot("wal", "dump", under.toString()), "qrrot wal dump: " + why);
        refused(qrrot("serve", "--wal", under.toString(), "--port", "0"),
                "qrrot serve: cannot open " + under + ": " + file + " is not a directory");
        Path backup = tmp.resolve("backup.qrrt");
        try (DurableQrrot db = DurableQrrot.open(tmp.resolve("saved"), SMALL)) {
            java.nio.file.Files.copy(db.saveSnapshot().file(), backup);
        }
        refused(qrrot("snapshot", "restore", backup.toString(), "--wal", under.toString()),
                "qrrot snapshot restore: cannot make " + under + ": " + file + " is not a directory");
        // A plain typo keeps its short message (and the way to make one, where there is one).
        refused(qrrot("cli", "--embedded", missing.toString(), "GET", "k"),
                "qrrot cli: no such data directory: " + missing + "; pass --create to make a new data directory there");
    }
}
