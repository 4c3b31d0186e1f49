package dev.secureyeoman.integrations.discord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secureyeoman.integrations.Integration;
import dev.secureyeoman.integrations.OutboundMessage;
import dev.secureyeoman.integrations.ThreadKey;
import dev.secureyeoman.integrations.adapters.AdapterOptions;
import dev.secureyeoman.integrations.adapters.FakePlatform;
import dev.secureyeoman.integrations.adapters.RecordingSleeper;
import dev.secureyeoman.integrations.adapters.TestContext;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Attack: link injection through the AI's echo. A user gets the bot to repeat {@code https://evil.example/login}; Slack
 * (unfurling off) and Telegram (link previews off) show it as plain text, but on Discord the reply carried a rich
 * embed (title, description, image chosen by the attacker's page) under the bot's name. Replies now carry
 * {@code flags: SUPPRESS_EMBEDS} on every Discord path (channel message, interaction original and follow-ups).
 */
class DiscordLinkPreviewAttackTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private FakePlatform discord;
  private Integration<DiscordConfig> adapter;

  @BeforeEach
  @SuppressWarnings("unchecked")
  void setUp() throws Exception {
    discord = new FakePlatform();
    discord.on("/api/v10/channels/", r -> FakePlatform.Response.json(200, "{\"id\":\"9001\"}"));
    byte[] encoded = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
    String publicHex = HexFormat.of().formatHex(Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length));
    adapter = (Integration<DiscordConfig>) new DiscordIntegrationFactory(AdapterOptions.builder()
        .sleeper(new RecordingSleeper()).build()).create();
    adapter.init(new DiscordConfig("bot-token", publicHex, discord.baseUrl() + "/api/v10"), new TestContext("discord"));
    adapter.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    adapter.stop();
    discord.close();
  }

  @Test
  void reply_withAnAttackerLink_isSentWithEmbedsSuppressedAndTheTextIntact() throws Exception {
    String text = "log in again at https://evil.example/login ".repeat(60); // > 2000 chars: two parts
    adapter.send(OutboundMessage.to(new ThreadKey("discord", "222", "main"), text));
    List<FakePlatform.Request> sent = discord.requests("/api/v10/channels/222/messages");
    assertEquals(2, sent.size());
    for (FakePlatform.Request r : sent) {
      JsonNode body = JSON.readTree(r.body());
      assertEquals(4, body.path("flags").asInt() & 4, "SUPPRESS_EMBEDS must be set: " + body);
      assertTrue(body.path("content").asText().contains("https://evil.example/login"), "the text is still shown");
      assertEquals(0, body.path("allowed_mentions").path("parse").size());
    }
  }
}
