package dev.secureyeoman.integrations.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.core.killswitch.KillSwitch;
import dev.secureyeoman.integrations.ThreadKey;
import dev.secureyeoman.integrations.WebhookRequest;
import dev.secureyeoman.integrations.adapters.AdapterOptions;
import dev.secureyeoman.integrations.adapters.FakePlatform;
import dev.secureyeoman.integrations.adapters.Png;
import dev.secureyeoman.integrations.conversation.ConversationContext;
import dev.secureyeoman.integrations.conversation.ConversationTracker;
import dev.secureyeoman.integrations.conversation.Turn;
import dev.secureyeoman.integrations.media.MediaHandler;
import dev.secureyeoman.integrations.media.MediaPolicy;
import dev.secureyeoman.integrations.media.ScanResult;
import dev.secureyeoman.integrations.plugin.IntegrationManager;
import dev.secureyeoman.integrations.plugin.PluginConfigSource;
import dev.secureyeoman.integrations.slack.SlackConfig;
import dev.secureyeoman.integrations.slack.SlackIntegrationFactory;
import dev.secureyeoman.integrations.slack.internal.SlackSignature;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router end to end: a signed Slack webhook enters the real {@link IntegrationManager}, the Slack adapter hands the
 * message to the router, the router asks the AI and the reply reaches the loopback fake of Slack's Web API.
 */
class MessageRouterTest {
  private static final String SECRET = "router-test-signing-secret";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private FakePlatform slack;
  private final List<ConversationContext> aiInputs = new CopyOnWriteArrayList<>();
  private final List<AuditEvent> audit = new CopyOnWriteArrayList<>();
  private final List<Path> scanned = new CopyOnWriteArrayList<>();
  private final AtomicReference<ScanResult> verdict = new AtomicReference<>(ScanResult.clean());
  private IntegrationManager manager;
  private MessageRouter router;
  private MediaHandler media;
  private ConversationTracker tracker;
  private KillSwitch killSwitch;
  private int eventSeq;

  @BeforeEach
  void setUp() throws Exception {
    slack = new FakePlatform();
    slack.on("/api/chat.postMessage", r -> FakePlatform.Response.json(200, "{\"ok\":true,\"ts\":\"9.9\"}"));
    slack.on("/files/", r -> new FakePlatform.Response(200, Map.of("Content-Type", "image/png"), Png.of(1000)));
  }

  /** Builds manager + router over a kill-switch file, as a process start would. */
  private void boot() throws Exception {
    killSwitch = KillSwitch.builder(tmp.resolve("kill-switch.json")).listener(MessageRouter.auditing(audit::add))
        .build();
    tracker = ConversationTracker.builder().build();
    media = MediaHandler.builder()
        .policy(MediaPolicy.builder().allowHosts("slack", "127.0.0.1").allowLoopbackForTesting(slack.port()).build())
        .scanner(file -> {
          scanned.add(file);
          return verdict.get();
        })
        .directory(tmp.resolve("media"))
        .build();
    SlackIntegrationFactory slackFactory = new SlackIntegrationFactory(AdapterOptions.defaults());
    router = MessageRouter.builder()
        .killSwitch(killSwitch)
        .tracker(tracker)
        .responder(ctx -> {
          aiInputs.add(ctx);
          return Optional.of("reply " + aiInputs.size() + " to " + ctx.latest().text().lines().findFirst().orElse(""));
        })
        .media(media)
        .resolver("slack", slackFactory)
        .build();
    manager = IntegrationManager.builder()
        .auditSink(audit::add)
        .configSource(new PluginConfigSource() {
          @Override
          public <C> C load(String id, Class<C> type) {
            return type.cast(new SlackConfig("xoxb-router", SECRET, null, slack.baseUrl() + "/api"));
          }
        })
        .inboundSink(router)
        .build();
    router.sendThrough(manager::send);
    manager.registerBuiltIn(slackFactory);
    manager.start("slack");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (manager != null) {
      manager.close();
    }
    if (media != null) {
      media.close();
    }
    slack.close();
  }

  private int deliver(String text, String threadTs, boolean withFile) {
    String body = "{\"team_id\":\"T1\",\"type\":\"event_callback\",\"event_id\":\"Ev" + (++eventSeq)
        + "\",\"event\":{\"type\":\"message\"," + (withFile ? "\"subtype\":\"file_share\"," : "")
        + "\"channel\":\"C1\",\"user\":\"U42\",\"text\":\"" + text + "\",\"ts\":\"1733133600." + eventSeq + "\""
        + (threadTs == null ? "" : ",\"thread_ts\":\"" + threadTs + "\"")
        + (withFile ? ",\"files\":[{\"name\":\"cat.png\",\"mimetype\":\"image/png\",\"size\":1000,"
            + "\"url_private_download\":\"" + slack.baseUrl() + "/files/F1/cat.png\"}]" : "")
        + "}}";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String ts = Long.toString(Instant.now().getEpochSecond());
    WebhookRequest req = WebhookRequest.builder("POST", "/")
        .header("X-Slack-Request-Timestamp", ts)
        .header("X-Slack-Signature", SlackSignature.sign(SECRET.getBytes(StandardCharsets.UTF_8), ts, bytes))
        .body(bytes)
        .receivedAt(Instant.now())
        .build();
    return manager.handleWebhook("slack", req).status();
  }

  @Test
  void killSwitch_engaged_acknowledgesButNeverAsksTheAiNorSends_andSurvivesARestart() throws Exception {
    boot();
    killSwitch.engage("ops@example", "spam wave");
    assertEquals(200, deliver("hello", null, true), "acknowledged to the platform");
    assertTrue(aiInputs.isEmpty());
    assertTrue(slack.requests("/api/chat.postMessage").isEmpty(), "no outbound request");
    assertTrue(slack.requests("/files/").isEmpty(), "no media download");
    assertTrue(tracker.context(new ThreadKey("slack", "T1:C1", "1733133600.1")).isEmpty(), "nothing recorded");
    assertEquals(1, router.stats().paused());

    // restart: new manager, router and KillSwitch object over the same file
    manager.close();
    media.close();
    boot();
    assertTrue(killSwitch.isEngaged(), "persisted");
    assertEquals(200, deliver("still paused?", null, false));
    assertTrue(aiInputs.isEmpty());
    assertTrue(slack.requests("/api/chat.postMessage").isEmpty());

    killSwitch.release("ops@example", "over");
    assertEquals(200, deliver("back", null, false));
    assertEquals(1, aiInputs.size());
    assertEquals(1, slack.requests("/api/chat.postMessage").size());
    List<String> events = audit.stream().map(AuditEvent::event).filter(e -> e.startsWith("killswitch.")).toList();
    assertEquals(List.of("killswitch.engaged", "killswitch.released"), events, "each pause and resume audited");
  }

  @Test
  void killSwitch_engagedWhileTheAiThinks_withholdsTheReply() throws Exception {
    boot();
    MessageRouter r = MessageRouter.builder().killSwitch(killSwitch).tracker(tracker)
        .responder(ctx -> {
          try {
            killSwitch.engage("ops", "mid-flight");
          } catch (dev.secureyeoman.core.killswitch.KillSwitchException e) {
            throw new java.io.IOException(e);
          }
          return Optional.of("late reply");
        })
        .sender(m -> {
          throw new AssertionError("nothing may be sent");
        })
        .build();
    r.accept(dev.secureyeoman.integrations.UnifiedMessage.builder(new ThreadKey("slack", "T1:C1", "main"), "1")
        .sender(new dev.secureyeoman.integrations.MessageSender("U1", "u", false)).text("hi")
        .receivedAt(Instant.now()).build());
    assertEquals(1, r.stats().paused());
    assertEquals(0, r.stats().replied());
  }

  @Test
  void threads_theAiSeesTheEarlierTurnsOfItsOwnThreadOnly_andRepliesLandInThatThread() throws Exception {
    boot();
    deliver("alpha one", "100.1", false);
    deliver("beta one", "200.1", false);
    deliver("alpha two", "100.1", false);
    ConversationContext third = aiInputs.get(2);
    assertEquals(new ThreadKey("slack", "T1:C1", "100.1"), third.thread());
    List<String> texts = third.turns().stream().map(Turn::text).toList();
    assertEquals(List.of("alpha one", "reply 1 to alpha one", "alpha two"), texts);
    assertFalse(texts.stream().anyMatch(t -> t.contains("beta")), "nothing from the other thread");
    var posts = slack.requests("/api/chat.postMessage");
    assertEquals("100.1", JSON.readTree(posts.get(2).body()).get("thread_ts").asText());
    assertEquals("200.1", JSON.readTree(posts.get(1).body()).get("thread_ts").asText());
  }

  @Test
  void media_imageIsDownloadedScannedDescribedToTheAi_andDeleted_infectedIsRefused() throws Exception {
    boot();
    deliver("look", null, true);
    String seen = aiInputs.get(0).latest().text();
    assertTrue(seen.startsWith("look\n[attachment 1 (image): image/png, 1000 bytes, sha256 "), seen);
    assertTrue(seen.endsWith(", scan CLEAN]"), seen);
    assertFalse(seen.contains("/files/") || seen.contains("cat.png"), "no URL or file name reaches the AI");
    assertEquals(1, scanned.size());
    assertFalse(Files.exists(scanned.get(0)), "deleted after processing");
    verdict.set(ScanResult.infected("Eicar-Test-Signature"));
    deliver("again", null, true);
    assertTrue(aiInputs.get(1).latest().text().endsWith("[attachment 1 (image) refused: INFECTED]"));
    try (var files = Files.list(media.directory())) {
      assertEquals(0, files.count());
    }
    assertEquals(1, router.stats().mediaAccepted());
    assertEquals(1, router.stats().mediaRefused());
  }

  @Test
  void bots_areNotAnswered_andTheBuilderRequiresItsParts() throws Exception {
    boot();
    router.accept(dev.secureyeoman.integrations.UnifiedMessage.builder(new ThreadKey("slack", "T1:C1", "main"), "b")
        .sender(new dev.secureyeoman.integrations.MessageSender("B1", "bot", true)).text("beep")
        .receivedAt(Instant.now()).build());
    assertEquals(1, router.stats().ignoredBots());
    assertTrue(aiInputs.isEmpty());
    assertThrows(IllegalStateException.class, () -> MessageRouter.builder().build());
    assertThrows(IllegalStateException.class, () -> MessageRouter.builder().killSwitch(killSwitch)
        .killSwitch(killSwitch));
  }

  private static dev.secureyeoman.integrations.UnifiedMessage withImage(String id, String url) {
    return dev.secureyeoman.integrations.UnifiedMessage.builder(new ThreadKey("slack", "T1:C1", "main"), id)
        .sender(new dev.secureyeoman.integrations.MessageSender("U1", "", false)).receivedAt(Instant.now())
        .attachment(dev.secureyeoman.integrations.MessageAttachment.builder(
            dev.secureyeoman.integrations.MessageAttachment.Kind.IMAGE, url).contentType("image/png").build())
        .build();
  }

  @Test
  void failures_areCountedNotThrown_mediaConsumerSeesTheFile_unresolvableAttachmentsAreDescribed() throws Exception {
    boot();
    List<String> consumed = new CopyOnWriteArrayList<>();
    List<String> seen = new CopyOnWriteArrayList<>();
    MessageRouter noMedia = MessageRouter.builder().killSwitch(killSwitch).tracker(tracker)
        .responder(ctx -> {
          seen.add(ctx.latest().text());
          return Optional.of("ok");
        })
        .sender(m -> {
          throw new dev.secureyeoman.integrations.IntegrationException("platform down");
        })
        .build();
    noMedia.accept(withImage("m1", slack.baseUrl() + "/files/F1/a.png"));
    assertEquals("[attachment 1 (image) not downloaded]", seen.get(0), "sender id used when the name is blank");
    assertEquals(1, noMedia.stats().failed(), "a failed send is counted, never thrown at the adapter");

    MessageRouter withConsumer = MessageRouter.builder().killSwitch(killSwitch).tracker(tracker)
        .responder(ctx -> {
          seen.add(ctx.latest().text());
          return Optional.empty();
        })
        .media(media)
        .resolver("slack", a -> {
          if (a.platformRef().contains("bad")) {
            throw new dev.secureyeoman.integrations.IntegrationException("unknown file");
          }
          return dev.secureyeoman.integrations.media.MediaRequest.builder("slack", java.net.URI.create(
              a.platformRef())).declaredType("image/png").build();
        })
        .mediaConsumer((m, h) -> consumed.add(h.contentType() + " " + Files.exists(h.path())))
        .build();
    withConsumer.accept(withImage("m2", slack.baseUrl() + "/files/F1/a.png"));
    withConsumer.accept(withImage("m3", slack.baseUrl() + "/bad"));
    assertEquals(List.of("image/png true"), consumed, "the consumer sees the file while it exists");
    assertTrue(seen.get(2).endsWith("refused: not resolvable]"), seen.get(2));
    assertEquals(0, withConsumer.stats().replied(), "an empty answer sends nothing");
    MessageRouter noSender = MessageRouter.builder().killSwitch(killSwitch).tracker(tracker)
        .responder(ctx -> Optional.of("x")).build();
    noSender.accept(withImage("m4", slack.baseUrl() + "/files/F1/a.png"));
    assertEquals(1, noSender.stats().failed(), "no sender configured: counted as a failure");
  }
}
