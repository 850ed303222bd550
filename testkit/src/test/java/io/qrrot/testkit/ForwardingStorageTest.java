package io.qrrot.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qrrot.storage.Storage;
import io.qrrot.storage.StorageFile;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwardingStorageTest {
    private static final Path D = Path.of("/d");
    private static final Path A = D.resolve("a");
    private static final Path B = D.resolve("b");

    /** Logs each hook with its arguments; fails the call named by {@code fail}. */
    private static final class Hooked extends ForwardingStorage {
        final List<String> calls = new ArrayList<>();
        String fail = "";

        Hooked(Storage delegate) {
            super(delegate);
        }

        private void hook(String call) throws IOException {
            calls.add(call);
            if (call.startsWith(fail + " ") && !fail.isEmpty()) {
                throw new IOException("injected: " + call);
            }
        }

        @Override
        protected void beforeWrite(Path path, StorageFile file, long position, int length) throws IOException {
            hook("write " + path.getFileName() + " at " + position + " of " + length + " (size " + file.size() + ")");
        }

        @Override
        protected void beforeForce(Path path) throws IOException {
            hook("force " + path.getFileName());
        }

        @Override
        protected void beforeTruncate(Path path, long size) throws IOException {
            hook("truncate " + path.getFileName() + " to " + size);
        }
    }

    @Test
    void everyCallReachesTheDelegate() throws IOException {
        FaultyStorage inner = new FaultyStorage().usableSpace(12_345);
        Storage s = new ForwardingStorage(inner);
        s.createDirectories(D);
        assertTrue(inner.exists(D));
        try (StorageFile f = s.open(A, Storage.OpenMode.CREATE_NEW)) {
            f.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
            f.truncate(2);
            f.force();
            assertEquals(2, f.size());
            ByteBuffer dst = ByteBuffer.allocate(4);
            assertEquals(2, f.read(dst, 0));
            assertEquals(-1, f.read(ByteBuffer.allocate(1), 2));
        }
        s.syncDirectory(D);
        assertTrue(inner.durableNames().contains(A));
        assertArrayEquals(new byte[] {1, 2}, inner.durableContents(A));
        s.rename(A, B);
        assertEquals(List.of(B), s.list(D));
        assertTrue(s.exists(B));
        assertFalse(s.exists(A));
        assertEquals(2, s.size(B));
        assertEquals(12_345, s.usableSpace(D));
        s.delete(B);
        assertFalse(inner.exists(B));
        StorageFile c = s.open(D.resolve("c"), Storage.OpenMode.CREATE_NEW);
        c.close();
        assertThrows(IOException.class, c::size, "close reached the delegate");
        assertEquals(List.of("1 CREATE_DIRS /d", "2 OPEN /d/a", "3 WRITE /d/a", "4 TRUNCATE /d/a", "5 FORCE /d/a",
                "6 SYNC_DIR /d", "7 RENAME /d/a", "8 DELETE /d/b", "9 OPEN /d/c"), inner.history());
    }

    /** A new Storage or StorageFile method (a default one too) must not go to the interface's default instead. */
    @Test
    void everyMethodIsOverridden() throws IOException {
        for (Method m : Storage.class.getMethods()) {
            if (!java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                assertEquals(ForwardingStorage.class, method(ForwardingStorage.class, m).getDeclaringClass(), m.toString());
            }
        }
        FaultyStorage inner = new FaultyStorage();
        inner.createDirectories(D);
        Class<?> file = new ForwardingStorage(inner).open(A, Storage.OpenMode.CREATE_NEW).getClass();
        for (Method m : StorageFile.class.getMethods()) {
            assertEquals(file, method(file, m).getDeclaringClass(), m.toString());
        }
    }

    private static Method method(Class<?> c, Method m) {
        try {
            return c.getMethod(m.getName(), m.getParameterTypes());
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void hooksRunBeforeTheirCallAndAThrowingHookStopsIt() throws IOException {
        FaultyStorage inner = new FaultyStorage();
        inner.createDirectories(D);
        Hooked s = new Hooked(inner);
        try (StorageFile f = s.open(A, Storage.OpenMode.CREATE_NEW)) {
            f.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
            f.write(ByteBuffer.wrap(new byte[] {4}), 3);
            f.truncate(3);
            f.force();
            s.fail = "write";
            ByteBuffer src = ByteBuffer.wrap(new byte[] {5, 6});
            assertEquals("injected: write a at 3 of 2 (size 3)",
                    assertThrows(IOException.class, () -> f.write(src, 3)).getMessage());
            assertEquals(2, src.remaining(), "the write never reached the delegate");
            s.fail = "truncate";
            assertThrows(IOException.class, () -> f.truncate(0));
            s.fail = "force";
            assertThrows(IOException.class, f::force);
            assertEquals(3, f.size());
        }
        assertArrayEquals(new byte[] {1, 2, 3}, inner.contents(A));
        assertEquals(List.of("write a at 0 of 3 (size 0)", "write a at 3 of 1 (size 3)", "truncate a to 3", "force a",
                "write a at 3 of 2 (size 3)", "truncate a to 0", "force a"), s.calls);
        assertEquals(4, inner.count(FaultyStorage.Op.WRITE) + inner.count(FaultyStorage.Op.TRUNCATE)
                + inner.count(FaultyStorage.Op.FORCE), "the failed calls never reached the delegate");
    }
}
