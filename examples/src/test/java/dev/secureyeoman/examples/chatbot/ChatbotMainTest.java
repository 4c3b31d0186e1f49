package dev.secureyeoman.examples.chatbot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chat-bot example end to end against the loopback platform fakes. */
class ChatbotMainTest {
  @TempDir Path tmp;

  @Test
  void run_scriptedConversation_repliesInThreadsWithContext_pausesOnTheKillSwitch() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int rc = ChatbotMain.run(new String[] {"--data-dir", tmp.toString()}, new PrintStream(buf, true,
        StandardCharsets.UTF_8));
    String out = buf.toString(StandardCharsets.UTF_8);
    assertEquals(0, rc, out);
    assertTrue(out.contains("You said: \"and the colours?\" (earlier in this thread: user: \"what is in this picture?\""),
        "the Telegram reply chain shares one context:\n" + out);
    assertTrue(out.contains("slack [channel C1 thread "), out);
    assertTrue(out.contains("discord [PATCH interaction response]"), out);
    assertTrue(out.contains("&lt;!everyone&gt;"), "the Slack reply quotes the text escaped:\n" + out);
    assertTrue(out.contains("audit: killswitch.engaged by ops@example"), out);
    assertTrue(out.contains("audit: killswitch.released by ops@example"), out);
    assertTrue(out.contains("media files left on disk: 0"), out);
    assertFalse(out.contains("xoxb-"), "no token printed");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("chatbot.yaml"))));
  }

  @Test
  void run_unknownOption_isAUsageError() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    assertEquals(2, ChatbotMain.run(new String[] {"--bogus"}, new PrintStream(buf, true, StandardCharsets.UTF_8)));
    assertTrue(buf.toString(StandardCharsets.UTF_8).startsWith("error: "));
  }
}
