package dev.secureyeoman.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SecureYeomanCliTest {


  static Run run(String... args) {
    return Run.of(args);
  }

  @Test
  void help_printsUsageAndExitsZero() {
    Run r = run("--help");
    assertEquals(0, r.code());
    assertTrue(r.out().startsWith("Usage: secureyeoman"), r.out());
  }

  @Test
  void version_printsProjectVersion() {
    Run r = run("--version");
    assertEquals(0, r.code());
    assertTrue(r.out().matches("secureyeoman \\d+\\.\\d+\\.\\d+.*\\R"), r.out());
  }

  @Test
  void unknownSubcommand_exitsTwoWithOneErrorLine() {
    Run r = run("frobnicate");
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: "), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
  }

  @Test
  void noSubcommand_isUsageError() {
    Run r = run();
    assertEquals(2, r.code());
    assertEquals(1, r.err().lines().count(), r.err());
  }
}
