package dev.secureyeoman.audit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Red team (attack18c): ranges and checkpoint ids up to {@code Long.MAX_VALUE}; beyond it nothing is covered. */
class Attack18cAckRangesTest {
  @Test
  void nineteenDigitSeqs_parsed_beyondLongMax_coverNothing() {
    assertEquals(
        List.of(new Verifier.Range(4_611_686_018_427_387_904L, Long.MAX_VALUE, Verifier.Kind.ALTERED)),
        Verifier.ackRanges(Map.of("broken_ranges", List.of("4611686018427387904-9223372036854775807:ALTERED"))));
    assertTrue(Verifier.ackRanges(Map.of("broken_ranges", List.of("1-9999999999999999999:ALTERED"))).isEmpty());
    Verifier.Acknowledged a = Verifier.acknowledged(Map.of(
        "broken_ranges", List.of("11-20:TRUNCATED"),
        "truncation_checkpoints", List.of("20:" + "ab".repeat(32), "x:" + "ab".repeat(32), "20:AB", 7L)));
    assertEquals(java.util.Set.of("20:" + "ab".repeat(32)), a.checkpoints());
  }
}
