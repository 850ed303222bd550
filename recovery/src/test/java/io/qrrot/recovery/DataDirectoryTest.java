package io.qrrot.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.storage.FileStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory is recognised by its layout; a path that is something else is refused with what is wrong,
 * and a new data directory is made only where the caller asks for one.
 */
class DataDirectoryTest {
    @TempDir
    Path tmp;

    private static QrrotOptions options() {
        return QrrotOptions.defaults().withShards(8).withWal(64 * 1024, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String refused(Path dir, DataDirectory.Mode mode) {
        return assertThrows(DataDirectory.NotADataDirectoryException.class,
                () -> DurableQrrot.open(dir, options(), mode).close()).getMessage();
    }

    @Test
    void whatAPathIs() throws IOException {
        Path data = tmp.resolve("data");
        try (Qrrot q = DurableQrrot.open(data, options())) {
            assertEquals(DataDirectory.Kind.DATA_DIRECTORY, DataDirectory.inspect(data));
        }
        assertEquals(DataDirectory.Kind.MISSING, DataDirectory.inspect(tmp.resolve("nope")));
        Path file = Files.writeString(tmp.resolve("passwd"), "root:x:0:0\n");
        assertEquals(DataDirectory.Kind.NOT_A_DIRECTORY, DataDirectory.inspect(file));
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertEquals(DataDirectory.Kind.EMPTY, DataDirectory.inspect(empty));
        Files.createDirectory(empty.resolve("lost+found"));
        assertEquals(DataDirectory.Kind.EMPTY, DataDirectory.inspect(empty), "a fresh file system's mount point");
        Path other = Files.createDirectory(tmp.resolve("project"));
        Files.writeString(other.resolve("users.csv"), "id,name\n");
        assertEquals(DataDirectory.Kind.OTHER, DataDirectory.inspect(other));
        assertEquals(DataDirectory.Kind.PART_OF_DATA_DIRECTORY, DataDirectory.inspect(data.resolve("wal")));
        assertEquals(DataDirectory.Kind.PART_OF_DATA_DIRECTORY, DataDirectory.inspect(data.resolve("snapshots")),
                "empty, but not a place for a new data directory");
    }

    @Test
    void aPathThatIsNotADataDirectoryIsRefusedAndLeftAsItWas() throws IOException {
        Path data = tmp.resolve("data");
        try (Qrrot q = DurableQrrot.open(data, options())) {
            new Db(q).run("SET", "k", "v");
            // The reported case: a live server's WAL directory given as a data directory.
            Path wal = data.resolve("wal");
            List<String> before = names(wal);
            for (DataDirectory.Mode mode : DataDirectory.Mode.values()) {
                assertEquals(wal + " is not a qrrot data directory (no wal/ or snapshots/ in it); it is the wal/"
                        + " directory of the data directory " + data + ": give " + data, refused(wal, mode));
            }
            assertEquals(before, names(wal), "nothing made inside the live WAL directory");
            Path snapshots = data.resolve("snapshots");
            assertEquals(snapshots + " is not a qrrot data directory (no wal/ or snapshots/ in it); it is the"
                    + " snapshots/ directory of the data directory " + data + ": give " + data,
                    refused(snapshots, DataDirectory.Mode.CREATE_IN_ANY_DIRECTORY));
        }
        Path file = Files.writeString(tmp.resolve("passwd"), "root:x:0:0\n");
        for (DataDirectory.Mode mode : DataDirectory.Mode.values()) {
            assertEquals(file + " is a file, not a qrrot data directory", refused(file, mode));
        }
        Path other = Files.createDirectory(tmp.resolve("project"));
        Files.writeString(other.resolve("users.csv"), "id,name\n");
        for (DataDirectory.Mode mode : List.of(DataDirectory.Mode.EXISTING, DataDirectory.Mode.CREATE)) {
            assertEquals(other + " is not a qrrot data directory (no wal/ or snapshots/ in it); give the directory"
                    + " that qrrot serve --wal uses", refused(other, mode));
        }
        assertEquals(List.of("users.csv"), names(other));
        try (Qrrot q = Qrrot.open(other, options())) {
            assertEquals("OK", new Db(q).run("SET", "k", "v"), "the server's and the library's open, as ever");
        }
        assertEquals(List.of("LOCK", "snapshots", "users.csv", "wal"), names(other));
    }

    @Test
    void aNewDataDirectoryIsMadeOnlyWhenAskedFor() throws IOException {
        Path missing = tmp.resolve("new");
        assertEquals("no such data directory: " + missing, refused(missing, DataDirectory.Mode.EXISTING));
        assertFalse(Files.exists(missing));
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertEquals(empty + " is not a qrrot data directory (it is empty)", refused(empty, DataDirectory.Mode.EXISTING));
        assertEquals(List.of(), names(empty));

        try (Qrrot q = DurableQrrot.open(missing, options(), DataDirectory.Mode.CREATE)) {
            assertEquals("OK", new Db(q).run("SET", "k", "v"));
        }
        try (Qrrot q = DurableQrrot.open(empty, options(), DataDirectory.Mode.CREATE)) {
            assertEquals("OK", new Db(q).run("SET", "k", "v"));
        }
        try (Qrrot q = Qrrot.open(tmp.resolve("library"), options())) {
            assertEquals("OK", new Db(q).run("SET", "k", "v"), "the library's open makes one, as serve needs");
        }
        try (Qrrot q = DurableQrrot.open(missing, options(), DataDirectory.Mode.EXISTING)) {
            assertEquals("v", new Db(q).run("GET", "k"), "an existing data directory opens without being asked to create");
        }
        assertEquals(List.of("LOCK", "snapshots", "wal"), names(empty));
    }

    @Test
    void theWalDirectoryOfAPath() throws IOException {
        Path data = tmp.resolve("data");
        try (Qrrot q = DurableQrrot.open(data, options())) {
            new Db(q).run("SET", "k", "v");
        }
        assertEquals(data.resolve("wal"), DataDirectory.walDirOf(data));
        assertEquals(data.resolve("wal"), DataDirectory.walDirOf(data.resolve("wal")));
        Path copy = Files.createDirectory(tmp.resolve("wal-copy"));
        for (Path segment : Files.list(data.resolve("wal")).toList()) {
            Files.copy(segment, copy.resolve(segment.getFileName()));
        }
        assertEquals(copy, DataDirectory.walDirOf(copy), "a copy of a log, wherever it is");
        Path other = Files.createDirectory(tmp.resolve("project"));
        Files.writeString(other.resolve("users.csv"), "id,name\n");
        assertEquals(other + " is not a qrrot data directory (no wal/ or snapshots/ in it); give the directory that"
                + " qrrot serve --wal uses", assertThrows(DataDirectory.NotADataDirectoryException.class,
                        () -> DataDirectory.walDirOf(other)).getMessage());
        assertEquals("no such data directory: " + tmp.resolve("nope"), assertThrows(
                DataDirectory.NotADataDirectoryException.class, () -> DataDirectory.walDirOf(tmp.resolve("nope")))
                .getMessage());
        Path onlySnapshots = Files.createDirectories(tmp.resolve("restored").resolve("snapshots"));
        assertEquals("data directory " + onlySnapshots.getParent() + " has no wal/ directory (only snapshots/): there"
                + " is no log to read", assertThrows(DataDirectory.NotADataDirectoryException.class,
                        () -> DataDirectory.walDirOf(onlySnapshots.getParent())).getMessage());
    }

    @Test
    void aStorageOtherThanTheFileSystemIsNotChecked() throws IOException {
        // The in-memory test storages have no real directory to look at: the layout is simply made.
        try (DataDirectory d = DataDirectory.open(Path.of("/in-memory/data"), new io.qrrot.testkit.FaultyStorage(),
                DataDirectory.Mode.EXISTING)) {
            assertEquals(Path.of("/in-memory/data/wal"), d.walDir());
        }
        assertTrue(FileStorage.INSTANCE.exists(tmp));
    }
}
