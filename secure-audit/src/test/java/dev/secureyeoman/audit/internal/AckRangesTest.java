package dev.secureyeoman.audit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.VerificationResult.Problem;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What an acknowledgement entry's metadata covers (red team attack18, attack18b). */
class AckRangesTest {

  @Test
  void rangesOfTheEntry_withTheirKind() {
    List<Verifier.Range> r =
        Verifier.ackRanges(
            Map.of("broken_ranges", List.of("3-3:ALTERED", "7-9:MISSING", "11-20:TRUNCATED"), "first_broken_seq", 3L));
    assertEquals(
        List.of(
            new Verifier.Range(3, 3, Verifier.Kind.ALTERED),
            new Verifier.Range(7, 9, Verifier.Kind.MISSING),
            new Verifier.Range(11, 20, Verifier.Kind.TRUNCATED)),
        r);
  }

  @Test
  void olderFormat_coversOnlyItsFirstBrokenSeq_ofTheKindOfItsProblem() {
    List<Verifier.Range> r = Verifier.ackRanges(Map.of("first_broken_seq", 5L, "problem", "SEQUENCE_GAP"));
    assertEquals(List.of(new Verifier.Range(5, 5, Verifier.Kind.MISSING)), r);
    assertTrue(Verifier.ackRanges(Map.of("reason", "x")).isEmpty());
    assertTrue(Verifier.ackRanges(Map.of("first_broken_seq", 5L, "problem", "NO_SUCH_PROBLEM")).isEmpty());
  }

  @Test
  void malformedOrKindlessRanges_coverNothing() {
    assertTrue(Verifier.ackRanges(Map.of("broken_ranges", "1-99:ALTERED")).isEmpty());
    assertTrue(Verifier.ackRanges(Map.of("broken_ranges", List.of("1-2:ALTERED", "x-9:ALTERED"))).isEmpty());
    assertTrue(Verifier.ackRanges(Map.of("broken_ranges", List.of("1-2-3:ALTERED"))).isEmpty());
    assertTrue(Verifier.ackRanges(Map.of("broken_ranges", List.of(7L))).isEmpty());
    // the kind-less format (never released) covers nothing: fail closed
    assertTrue(Verifier.ackRanges(Map.of("broken_ranges", List.of("1-2:ALTERED", "3-3"))).isEmpty());
    assertTrue(Verifier.ackRanges(Map.of("broken_ranges", List.of("3-3:EDITED"))).isEmpty());
    assertTrue(Verifier.ackRanges(Map.of("broken_ranges", List.of("3-3:ALTERED:MISSING"))).isEmpty());
    assertTrue(Verifier.ackRanges(Map.of("broken_ranges", List.of("3-3:altered"))).isEmpty());
  }

  @Test
  void kindOfEachProblem() {
    assertEquals(Verifier.Kind.ALTERED, Verifier.Kind.of(Problem.ENTRY_ALTERED));
    assertEquals(Verifier.Kind.ALTERED, Verifier.Kind.of(Problem.CHAIN_BROKEN));
    assertEquals(Verifier.Kind.ALTERED, Verifier.Kind.of(Problem.MALFORMED_ENTRY));
    assertEquals(Verifier.Kind.ALTERED, Verifier.Kind.of(Problem.STORAGE_TYPE_ALTERED));
    assertEquals(Verifier.Kind.MISSING, Verifier.Kind.of(Problem.SEQUENCE_GAP));
    assertEquals(Verifier.Kind.MISSING, Verifier.Kind.of(Problem.UNANCHORED_START));
    assertEquals(Verifier.Kind.TRUNCATED, Verifier.Kind.of(Problem.TRUNCATED));
    assertEquals(Verifier.Kind.TRUNCATED, Verifier.Kind.of(Problem.CHECKPOINT_MISMATCH));
  }

  @Test
  void logProblems_byName_olderFormatByItsProblem() {
    Verifier.Acknowledged a = Verifier.acknowledged(
        Map.of("broken_ranges", List.of("2-2:ALTERED"), "log_problems", List.of("CHECKPOINTS_MISSING", 3L)));
    assertEquals(java.util.Set.of("CHECKPOINTS_MISSING"), a.logProblems());
    assertEquals(1, a.ranges().size());
    Verifier.Acknowledged none = Verifier.acknowledged(Map.of("broken_ranges", List.of()));
    assertTrue(none.logProblems().isEmpty());
    Verifier.Acknowledged old = Verifier.acknowledged(Map.of("first_broken_seq", 4L, "problem", "TRUNCATED"));
    assertEquals(java.util.Set.of("TRUNCATED"), old.logProblems());
    assertEquals(List.of(new Verifier.Range(4, 4, Verifier.Kind.TRUNCATED)), old.ranges());
  }
}
