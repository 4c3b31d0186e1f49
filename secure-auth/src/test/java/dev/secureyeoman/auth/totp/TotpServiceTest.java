package dev.secureyeoman.auth.totp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.testkit.TestClock;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TotpServiceTest {
  static final byte[] SEED20 = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
  static final byte[] SEED32 = "12345678901234567890123456789012".getBytes(StandardCharsets.US_ASCII);
  static final byte[] SEED64 =
      "1234567890123456789012345678901234567890123456789012345678901234".getBytes(StandardCharsets.US_ASCII);

  static List<String[]> csv(String resource) throws Exception {
    List<String[]> rows = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(TotpServiceTest.class.getResourceAsStream(resource), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isBlank() && !line.startsWith("#")) {
          rows.add(line.split(","));
        }
      }
    }
    return rows;
  }

  static Stream<Arguments> rfc6238() throws Exception {
    return csv("/vectors/rfc6238/appendix-b.csv").stream()
        .map(r -> Arguments.of(Long.parseLong(r[0]), Long.parseUnsignedLong(r[1], 16), r[2], TotpAlgorithm.valueOf(r[3])));
  }

  static Stream<Arguments> rfc4226() throws Exception {
    return csv("/vectors/rfc4226/appendix-d.csv").stream().map(r -> Arguments.of(Long.parseLong(r[0]), r[1]));
  }

  static byte[] seed(TotpAlgorithm a) {
    return switch (a) {
      case SHA1 -> SEED20;
      case SHA256 -> SEED32;
      case SHA512 -> SEED64;
    };
  }

  @ParameterizedTest(name = "T={0} {3}")
  @MethodSource("rfc6238")
  void generate_rfc6238AppendixB(long time, long step, String expected, TotpAlgorithm alg) {
    TotpParameters p = new TotpParameters(alg, 8, 30);
    assertEquals(step, TotpService.step(Instant.ofEpochSecond(time), p));
    assertEquals(expected, TotpService.generate(seed(alg), Instant.ofEpochSecond(time), p));
    // and verification finds exactly that step
    assertEquals(OptionalLong.of(step), TotpService.verifyAt(seed(alg), expected, p, 1, Instant.ofEpochSecond(time)));
  }

  @Test
  void vectors_all18Rows_present() throws Exception {
    assertEquals(18, csv("/vectors/rfc6238/appendix-b.csv").size());
    assertEquals(10, csv("/vectors/rfc4226/appendix-d.csv").size());
  }

  @ParameterizedTest(name = "count={0}")
  @MethodSource("rfc4226")
  void hotp_rfc4226AppendixD(long counter, String expected) {
    assertEquals(expected, TotpService.hotp(SEED20, counter, TotpAlgorithm.SHA1, 6));
  }

  @Test
  void generate_timeBeyond32Bits_usesFull64BitCounter() {
    // T = 20000000000 s is past 2^32 s; a counter truncated to 32 bits of seconds would give another code
    TotpParameters p = new TotpParameters(TotpAlgorithm.SHA1, 8, 30);
    assertEquals("65353130", TotpService.generate(SEED20, Instant.ofEpochSecond(20_000_000_000L), p));
    long truncated = (20_000_000_000L & 0xffffffffL) / 30;
    assertTrue(!"65353130".equals(TotpService.hotp(SEED20, truncated, TotpAlgorithm.SHA1, 8)));
    // counters above 2^32 are encoded big-endian in 8 bytes too
    assertEquals(8, TotpService.hotp(SEED20, 1L << 40, TotpAlgorithm.SHA512, 8).length());
  }

  @Test
  void verify_windowPlusMinusOneAccepted_plusMinusTwoRejected() {
    TestClock clock = TestClock.at(Instant.ofEpochSecond(1_111_111_111L));
    TotpService svc = new TotpService(clock);
    TotpParameters p = TotpParameters.defaults();
    Instant now = clock.instant();
    long center = TotpService.step(now, p);
    for (int d = -2; d <= 2; d++) {
      String code = TotpService.hotp(SEED20, center + d, TotpAlgorithm.SHA1, 6);
      OptionalLong r = svc.verify(SEED20, code, p, 1);
      if (Math.abs(d) <= 1) {
        assertEquals(OptionalLong.of(center + d), r, "offset " + d);
      } else if (!code.equals(TotpService.hotp(SEED20, center, TotpAlgorithm.SHA1, 6))) {
        assertEquals(OptionalLong.empty(), r, "offset " + d);
      }
    }
    // the same code becomes invalid when the clock moves two steps on
    String code = TotpService.generate(SEED20, now, p);
    clock.advance(Duration.ofSeconds(60));
    assertEquals(OptionalLong.empty(), svc.verify(SEED20, code, p, 1));
    assertEquals(OptionalLong.empty(), svc.verify(SEED20, code, p, 0));
  }

  @Test
  void verify_malformedCodes_rejected() {
    TotpParameters p = TotpParameters.defaults();
    Instant t = Instant.ofEpochSecond(59);
    String good = TotpService.generate(SEED20, t, p);
    assertTrue(TotpService.verifyAt(SEED20, good, p, 0, t).isPresent());
    for (String bad : new String[] {null, "", good + "0", good.substring(1), " " + good.substring(1), "12345a", "١٢٣٤٥٦"}) {
      assertEquals(OptionalLong.empty(), TotpService.verifyAt(SEED20, bad, p, 1, t), String.valueOf(bad));
    }
    assertThrows(IllegalArgumentException.class, () -> TotpService.verifyAt(SEED20, good, p, 11, t));
    assertThrows(IllegalArgumentException.class, () -> TotpService.hotp(new byte[0], 1, TotpAlgorithm.SHA1, 6));
    assertThrows(IllegalArgumentException.class, () -> TotpService.hotp(SEED20, 1, TotpAlgorithm.SHA1, 7));
    assertThrows(IllegalArgumentException.class, () -> new TotpParameters(TotpAlgorithm.SHA1, 7, 30));
    assertThrows(IllegalArgumentException.class, () -> new TotpParameters(TotpAlgorithm.SHA1, 6, 5));
  }

  @Test
  void generate_zeroPadded() {
    // RFC 6238 T=1111111109 SHA1 is 07081804: the leading zero must survive
    assertEquals(
        "07081804",
        TotpService.generate(SEED20, Instant.ofEpochSecond(1111111109), new TotpParameters(TotpAlgorithm.SHA1, 8, 30)));
    assertEquals(
        "081804",
        TotpService.generate(SEED20, Instant.ofEpochSecond(1111111109), TotpParameters.defaults()));
  }

  @Test
  void step_beforeEpoch_isFloor() {
    assertEquals(-1, TotpService.step(Instant.ofEpochSecond(-1), TotpParameters.defaults()));
  }

  @Test
  void base32_rfc4648Vectors_andSeededRoundTrip() {
    assertEquals("MZXW6YTBOI", Base32.encode("foobar".getBytes(StandardCharsets.US_ASCII)));
    assertEquals("MZXW6", Base32.encode("foo".getBytes(StandardCharsets.US_ASCII)));
    assertArrayEquals("foobar".getBytes(StandardCharsets.US_ASCII), Base32.decode("mzxw6ytboi======"));
    assertArrayEquals(SEED20, Base32.decode("GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"));
    Random r = new Random(42);
    for (int i = 0; i < 200; i++) {
      byte[] b = new byte[r.nextInt(70)];
      r.nextBytes(b);
      assertArrayEquals(b, Base32.decode(Base32.encode(b)));
    }
    assertThrows(IllegalArgumentException.class, () -> Base32.decode("MZXW1"));
    assertThrows(IllegalArgumentException.class, () -> Base32.decode("A"));
  }
}
