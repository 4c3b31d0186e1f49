package dev.secureyeoman.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  private long entries() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  @Test
  void write_newFile_hasContentAndMode0600() throws IOException {
    Path target = dir.resolve("secret.bin");
    AtomicFiles.write(target, new byte[] {1, 2, 3});
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
    assertEquals("rw-------", mode(target));
    assertEquals(1, entries(), "no temporary file left behind");
  }

  @Test
  void write_existingWorldReadableFile_replacedWithMode0600() throws IOException {
    Path target = dir.resolve("config.yaml");
    Files.writeString(target, "old");
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
    AtomicFiles.write(target, "new".getBytes(StandardCharsets.UTF_8));
    assertEquals("new", Files.readString(target));
    assertEquals("rw-------", mode(target));
  }

  @Test
  void write_writerFailsMidway_targetKeepsOldContentAndNoTempLeft() throws IOException {
    Path target = dir.resolve("state.bin");
    AtomicFiles.write(target, "complete old content".getBytes(StandardCharsets.UTF_8));
    IOException failure =
        assertThrows(
            IOException.class,
            () ->
                AtomicFiles.write(
                    target,
                    out -> {
                      out.write("half of the new con".getBytes(StandardCharsets.UTF_8));
                      throw new IOException("disk full (injected)");
                    },
                    true));
    assertEquals("disk full (injected)", failure.getMessage());
    assertEquals("complete old content", Files.readString(target));
    assertEquals(1, entries(), "temporary file must be deleted");
  }

  @Test
  void write_writerFailsMidwayOnNewFile_noTargetCreated() {
    Path target = dir.resolve("never.bin");
    assertThrows(
        IOException.class,
        () ->
            AtomicFiles.write(
                target,
                out -> {
                  out.write(new byte[1000]);
                  throw new IOException("crash");
                },
                true));
    assertEquals(false, Files.exists(target));
  }

  @Test
  void write_directoryMissing_noSuchFileNamesTheDirectoryNotTheTempFile() {
    Path missing = dir.resolve("gone");
    for (boolean replace : new boolean[] {true, false}) {
      java.nio.file.NoSuchFileException e =
          assertThrows(
              java.nio.file.NoSuchFileException.class,
              () -> AtomicFiles.write(missing.resolve("state.bin"), out -> out.write(1), replace));
      assertEquals(missing.toString(), e.getFile());
      assertEquals(missing + ": directory for state.bin does not exist", e.getMessage());
    }
  }

  @Test
  void writeNew_existingTarget_refusedAndUntouched() throws IOException {
    Path target = dir.resolve("out.enc.yaml");
    Files.writeString(target, "keep me");
    assertThrows(FileAlreadyExistsException.class, () -> AtomicFiles.writeNew(target, new byte[] {9}));
    assertEquals("keep me", Files.readString(target));
    assertEquals(1, entries());
  }

  @Test
  void writeNew_absentTarget_created0600() throws IOException {
    Path target = dir.resolve("fresh.bin");
    AtomicFiles.writeNew(target, new byte[] {7});
    assertArrayEquals(new byte[] {7}, Files.readAllBytes(target));
    assertEquals("rw-------", mode(target));
    assertEquals(1, entries());
  }

  @Test
  void write_nullArguments_rejected() {
    Path target = dir.resolve("x");
    assertThrows(IllegalArgumentException.class, () -> AtomicFiles.write(target, (byte[]) null));
    assertThrows(IllegalArgumentException.class, () -> AtomicFiles.writeNew(target, null));
    assertThrows(IllegalArgumentException.class, () -> AtomicFiles.write(null, out -> {}, true));
    assertThrows(IllegalArgumentException.class, () -> AtomicFiles.write(target, null, true));
  }
}
