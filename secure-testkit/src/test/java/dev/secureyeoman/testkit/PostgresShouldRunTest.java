package dev.secureyeoman.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresShouldRunTest {
  @TempDir Path dir;

  @Test
  void shouldRun_binaryInstalledOrCi_otherwiseSkipped() throws Exception {
    assertFalse(PostgresServer.shouldRun(dir, false), "no postgres binary, not CI: skip");
    assertTrue(PostgresServer.shouldRun(dir, true), "CI: run, and fail loudly on the missing binary");
    Path postgres = Files.createFile(dir.resolve("postgres"));
    assertFalse(PostgresServer.shouldRun(dir, false), "a file that is not executable is no binary");
    Files.setPosixFilePermissions(postgres, PosixFilePermissions.fromString("rwx------"));
    assertTrue(PostgresServer.shouldRun(dir, false));
  }

  @Test
  void shouldRun_followsTheBinProperty() {
    String before = System.getProperty(PostgresServer.BIN_PROPERTY);
    try {
      System.setProperty(PostgresServer.BIN_PROPERTY, dir.toString());
      assertEquals(System.getenv("CI") != null, PostgresServer.shouldRun(), "an empty bin directory runs only under CI");
    } finally {
      if (before == null) {
        System.clearProperty(PostgresServer.BIN_PROPERTY);
      } else {
        System.setProperty(PostgresServer.BIN_PROPERTY, before);
      }
    }
  }
}
