package dev.secureyeoman.auth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed seed corpora of {@link AuthParsersFuzzTest}, checked without Jazzer: every seed satisfies its target's
 * property, and each corpus reaches both outcomes (some seeds accepted, some rejected), so the fuzzer starts from inputs
 * that exercise the interesting branches rather than from an empty string.
 */
class AuthParsersSeedsTest {
  private static final Map<String, Predicate<String>> TARGETS = new HashMap<>();

  static {
    TARGETS.put("phcParse_neverThrows_andBoundsHold", AuthParsersFuzzTest::phcProperty);
    TARGETS.put("jwtVerify_acceptsOnlyWellSignedTokens", AuthParsersFuzzTest::jwtProperty);
    TARGETS.put("otpauthParse_roundTripsThroughBuild", AuthParsersFuzzTest::otpauthProperty);
    TARGETS.put("base32_decodeThenEncode_isStable", AuthParsersFuzzTest::base32Property);
    TARGETS.put("recoveryCode_normalizeIsCanonical", AuthParsersFuzzTest::recoveryCodeProperty);
    TARGETS.put("clientAddress_canonicalIsIdempotent", AuthParsersFuzzTest::clientAddressProperty);
    TARGETS.put("auditClean_leavesNoControlCharacters", AuthParsersFuzzTest::auditCleanProperty);
  }

  private static Path corpus(String target) throws URISyntaxException {
    return Path.of(
        AuthParsersSeedsTest.class.getResource("AuthParsersFuzzTestInputs/" + target).toURI());
  }

  @Test
  void everyTargetHasACorpus_everySeedHoldsTheProperty_bothOutcomesReached() throws Exception {
    for (Map.Entry<String, Predicate<String>> t : TARGETS.entrySet()) {
      List<Path> seeds;
      try (Stream<Path> files = Files.list(corpus(t.getKey()))) {
        seeds = files.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
      }
      assertTrue(seeds.size() >= 3, t.getKey() + " has " + seeds.size() + " seeds");
      int accepted = 0;
      for (Path seed : seeds) {
        if (t.getValue().test(read(seed))) {
          accepted++;
        }
      }
      assertTrue(accepted > 0, t.getKey() + ": no seed reaches the accepting branch");
      assertTrue(accepted < seeds.size(), t.getKey() + ": no seed reaches the rejecting branch");
    }
  }

  @Test
  void everyFuzzMethodIsChecked() throws Exception {
    long fuzzMethods =
        Stream.of(AuthParsersFuzzTest.class.getDeclaredMethods())
            .filter(m -> m.isAnnotationPresent(com.code_intelligence.jazzer.junit.FuzzTest.class))
            .count();
    assertEquals(fuzzMethods, TARGETS.size());
  }

  private static String read(Path p) throws IOException {
    return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
  }
}
