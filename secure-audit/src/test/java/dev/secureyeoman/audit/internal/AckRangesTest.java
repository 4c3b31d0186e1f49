package dev.secureyeoman.audit.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What an acknowledgement entry's metadata covers (red team attack18). */
class AckRangesTest {

  @Test
  void rangesOfTheEntry() {
    List<long[]> r = Verifier.ackRanges(Map.of("broken_ranges", List.of("3-3", "7-9"), "first_broken_seq", 3L));
    assertEquals(2, r.size());
    assertArrayEquals(new long[] {3, 3}, r.get(0));
    assertArrayEquals(new long[] {7, 9}, r.get(1));
  }

  @Test
  void olderFormat_coversOnlyItsFirstBrokenSeq() {
    List<long[]> r = Verifier.ackRanges(Map.of("first_broken_seq", 5L, "problem", "SEQUENCE_GAP"));
    assertEquals(1, r.size());
    assertArrayEquals(new long[] {5, 5}, r.get(0));
    assertTrue(Verifier.ackRanges(Map.of("reason", "x")).isEmpty());
  }

  @Test
  void malformedRanges_coverNothing() {
    assertTrue(Verifier.ackRanges(Map.of("broken_ranges", "1-99")).isEmpty());
    assertTrue(Verifier.ackRanges(Map.of("broken_ranges", List.of("1-2", "x-9"))).isEmpty());
    assertTrue(Verifier.ackRanges(Map.of("broken_ranges", List.of("1-2-3"))).isEmpty());
    assertTrue(Verifier.ackRanges(Map.of("broken_ranges", List.of(7L))).isEmpty());
  }

  @Test
  void logProblems_byName_olderFormatByItsProblem() {
    Verifier.Acknowledged a = Verifier.acknowledged(
        Map.of("broken_ranges", List.of("2-2"), "log_problems", List.of("CHECKPOINTS_MISSING", 3L)));
    assertEquals(java.util.Set.of("CHECKPOINTS_MISSING"), a.logProblems());
    assertEquals(1, a.ranges().size());
    Verifier.Acknowledged none = Verifier.acknowledged(Map.of("broken_ranges", List.of()));
    assertTrue(none.logProblems().isEmpty());
    Verifier.Acknowledged old = Verifier.acknowledged(Map.of("first_broken_seq", 4L, "problem", "TRUNCATED"));
    assertEquals(java.util.Set.of("TRUNCATED"), old.logProblems());
    assertArrayEquals(new long[] {4, 4}, old.ranges().get(0));
  }
}
