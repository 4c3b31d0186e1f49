package dev.secureyeoman.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TotpCommandTest {
  static final String SHA1_SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // "12345678901234567890"


  static Run run(String... args) {
    return Run.of(args);
  }

  @Test
  void code_rfc6238Vectors() {
    assertEquals(new Run(0, "94287082\n", ""), run("totp", "code", "--secret", SHA1_SEED, "--digits", "8", "--time", "59"));
    assertEquals(
        "65353130\n", run("totp", "code", "--secret", SHA1_SEED, "--digits", "8", "--time", "20000000000").out());
    String sha256Seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA"; // 32-byte seed
    assertEquals(
        "46119246\n",
        run("totp", "code", "--secret", sha256Seed, "--algorithm", "SHA256", "--digits", "8", "--time", "59").out());
    assertEquals("287082\n", run("totp", "code", "--secret", SHA1_SEED, "--time", "59").out());
    assertEquals(0, run("totp", "code", "--secret", SHA1_SEED).code());
  }

  @Test
  void code_badSecret_exit1_oneErrorLine() {
    Run r = run("totp", "code", "--secret", "not-base32!", "--time", "59");
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("error:"), r.err());
    assertEquals(1, r.err().strip().lines().count());
    assertEquals("", r.out());
  }

  @Test
  void code_usageErrors_exit2() {
    assertEquals(2, run("totp", "code", "--secret", SHA1_SEED, "--digits", "7").code());
    assertEquals(2, run("totp", "code", "--secret", SHA1_SEED, "--algorithm", "MD5").code());
    assertEquals(2, run("totp", "code").code());
    assertEquals(2, run("totp").code());
    Run r = run("totp", "code", "--secret", SHA1_SEED, "--period", "5");
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error:"));
  }
}
