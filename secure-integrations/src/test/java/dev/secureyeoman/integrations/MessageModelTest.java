package dev.secureyeoman.integrations;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class MessageModelTest {
  private static final ThreadKey THREAD = new ThreadKey("telegram", "-100123", "42");
  private static final MessageSender ALICE = new MessageSender("7", "Alice", false);
  private static final String TOKEN_URL =
      "https://api.telegram.org/file/bot123456:SECRET-TOKEN/photos/file_1.jpg?sig=abc";

  @Test
  void unifiedMessage_builder_validatesAndNeverPrintsTextOrReferences() {
    MessageAttachment photo = MessageAttachment.builder(MessageAttachment.Kind.IMAGE, TOKEN_URL)
        .declaredSize(2048).contentType("Image/JPEG; charset=binary").fileName("holiday\n.jpg").build();
    UnifiedMessage m = UnifiedMessage.builder(THREAD, "43").sender(ALICE).text("my secret plan").attachment(photo)
        .replyTo("41").receivedAt(Instant.EPOCH).build();
    assertEquals("telegram", m.platform());
    assertEquals(Optional.of("41"), m.replyTo());
    assertEquals(Optional.of("image/jpeg"), photo.contentType());
    assertEquals(Optional.of("holiday\uFFFD.jpg"), photo.fileName());
    assertEquals(OptionalLong.of(2048), photo.declaredSize());
    assertEquals(TOKEN_URL, photo.platformRef(), "the adapter still gets the reference");
    String shown = m.toString();
    assertFalse(shown.contains("secret plan"), shown);
    assertFalse(shown.contains("SECRET-TOKEN"), shown);
    assertFalse(shown.contains("sig=abc"), shown);
    assertTrue(shown.contains("text=<14 chars>"), shown);
    assertTrue(shown.contains("ref=https://api.telegram.org/██"), shown);
    assertEquals("MessageAttachment[kind=DOCUMENT, ref=██, declaredSize=unknown, contentType=unknown, fileName=]",
        MessageAttachment.builder(MessageAttachment.Kind.DOCUMENT, "AgACAgIAAxkBAAIB").declaredSize(-1)
            .contentType("not a type").build().toString());
  }

  @Test
  void unifiedMessage_invalidValues_rejected() {
    UnifiedMessage.Builder ok = UnifiedMessage.builder(THREAD, "1").sender(ALICE).receivedAt(Instant.EPOCH);
    assertEquals("", ok.build().text());
    assertThrows(IllegalArgumentException.class, () -> UnifiedMessage.builder(THREAD, "a\nb").sender(ALICE)
        .receivedAt(Instant.EPOCH).build());
    assertThrows(IllegalArgumentException.class, () -> UnifiedMessage.builder(THREAD, "1").sender(ALICE)
        .text("x".repeat(UnifiedMessage.MAX_TEXT_CHARS + 1)).receivedAt(Instant.EPOCH).build());
    UnifiedMessage.Builder many = UnifiedMessage.builder(THREAD, "1").sender(ALICE).receivedAt(Instant.EPOCH);
    for (int i = 0; i <= UnifiedMessage.MAX_ATTACHMENTS; i++) {
      many.attachment(MessageAttachment.builder(MessageAttachment.Kind.OTHER, "f" + i).build());
    }
    assertThrows(IllegalArgumentException.class, many::build);
    assertThrows(NullPointerException.class, () -> UnifiedMessage.builder(THREAD, "1").receivedAt(Instant.EPOCH)
        .build());
    assertThrows(IllegalArgumentException.class, () -> new MessageAttachment(MessageAttachment.Kind.IMAGE, "r",
        OptionalLong.of(-1), Optional.empty(), Optional.empty()));
    assertThrows(IllegalArgumentException.class, () -> new MessageAttachment(MessageAttachment.Kind.IMAGE, "r",
        OptionalLong.empty(), Optional.of("IMAGE/PNG"), Optional.empty()));
  }

  @Test
  void senderAndHealth_displayTextNormalised() {
    MessageSender s = new MessageSender("u1", "Eve\u0007\u001b[31m" + "x".repeat(300), true);
    assertFalse(s.displayName().chars().anyMatch(Character::isISOControl));
    assertEquals(256, s.displayName().length());
    assertThrows(IllegalArgumentException.class, () -> new MessageSender("", "x", false));
    assertEquals(Health.Status.DEGRADED, Health.degraded("rate limited").status());
    assertEquals(Health.Status.DOWN, Health.down("x\ny").status());
    assertEquals("x\uFFFDy", Health.down("x\ny").detail());
  }

  @Test
  void outboundMessage_replyLandsInTheInboundThread() {
    UnifiedMessage in = UnifiedMessage.builder(THREAD, "43").sender(ALICE).text("hi").receivedAt(Instant.EPOCH)
        .build();
    OutboundMessage out = OutboundMessage.replyTo(in, "hello back");
    assertEquals(THREAD, out.thread());
    assertEquals(Optional.of("43"), out.replyTo());
    assertEquals("OutboundMessage[thread=telegram/-100123/42, text=<10 chars>, replyTo=43]", out.toString());
    assertEquals(Optional.empty(), OutboundMessage.to(THREAD, "x").replyTo());
    assertThrows(IllegalArgumentException.class, () -> OutboundMessage.to(THREAD, ""));
    assertEquals("m-1", new SendReceipt("m-1").messageId());
    assertThrows(IllegalArgumentException.class, () -> new SendReceipt("a\u0000"));
  }

  @Test
  void webhookRequestAndResponse_copiedImmutableAndRedacted() {
    byte[] body = "{\"token\":\"xoxb-secret\"}".getBytes(StandardCharsets.UTF_8);
    WebhookRequest r = WebhookRequest.builder("post", "/events").header("X-Slack-Signature", "v0=abc")
        .header("x-slack-signature", "v0=def").body(body).receivedAt(Instant.EPOCH).build();
    body[0] = 'X';
    assertEquals("POST", r.method());
    assertEquals(Optional.of("v0=abc"), r.header("X-SLACK-SIGNATURE"));
    assertEquals(List.of("v0=abc", "v0=def"), r.headers().get("x-slack-signature"));
    assertEquals(Optional.empty(), r.header("absent"));
    assertEquals('{', r.body()[0], "the request keeps its own copy");
    assertEquals("{\"token\":\"xoxb-secret\"}", r.bodyAsString());
    assertEquals(Instant.EPOCH, r.receivedAt());
    assertEquals("/events", r.path());
    assertFalse(r.toString().contains("secret") || r.toString().contains("v0="), r.toString());
    assertThrows(IllegalArgumentException.class, () -> WebhookRequest.builder("POST", "/")
        .body(new byte[WebhookRequest.MAX_BODY_BYTES + 1]).receivedAt(Instant.EPOCH).build());

    WebhookResponse ok = WebhookResponse.json(200, "{\"ok\":true}");
    assertEquals(ok, WebhookResponse.json(200, "{\"ok\":true}"));
    assertEquals(ok.hashCode(), WebhookResponse.json(200, "{\"ok\":true}").hashCode());
    assertNotEquals(ok, WebhookResponse.status(200));
    assertArrayEquals(new byte[0], WebhookResponse.status(204).body());
    assertEquals("WebhookResponse[204, no body, <0 bytes>]", WebhookResponse.status(204).toString());
    assertThrows(IllegalArgumentException.class, () -> WebhookResponse.status(99));
  }
}
