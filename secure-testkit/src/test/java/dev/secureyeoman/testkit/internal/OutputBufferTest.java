package dev.secureyeoman.testkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class OutputBufferTest {
  @Test
  void capture_moreThanTheCap_keepsTheFirstPartAndCountsTheRest() {
    String line = "y".repeat(1023) + "\n"; // 1 KiB per line
    int lines = OutputBuffer.MAX_CHARS / 1024 + 10;
    OutputBuffer buffer =
        OutputBuffer.capture(
            new ByteArrayInputStream(line.repeat(lines).getBytes(StandardCharsets.UTF_8)), "test-capture");
    assertTrue(buffer.awaitEnd(Duration.ofSeconds(30)));
    String text = buffer.text();
    assertTrue(text.endsWith("[secure-testkit: 10 more lines not kept]\n"), text.substring(text.length() - 100));
    assertTrue(text.length() <= OutputBuffer.MAX_CHARS + 100);
  }

  @Test
  void await_matchOrEnd_returnsMatchOrEmpty() {
    OutputBuffer buffer =
        OutputBuffer.capture(new ByteArrayInputStream("a\nport=42\nb\n".getBytes(StandardCharsets.UTF_8)), "test-await");
    assertEquals("42", buffer.await(Pattern.compile("port=(\\d+)"), Duration.ofSeconds(30)).orElseThrow().group(1));
    assertTrue(buffer.await(Pattern.compile("never"), Duration.ofSeconds(30)).isEmpty());
    assertTrue(buffer.ended());
    assertEquals("a\nport=42\nb\n", buffer.text());
  }
}
