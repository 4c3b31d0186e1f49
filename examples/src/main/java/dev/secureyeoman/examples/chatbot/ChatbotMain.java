package dev.secureyeoman.examples.chatbot;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.secureyeoman.core.killswitch.KillSwitch;
import dev.secureyeoman.integrations.WebhookRequest;
import dev.secureyeoman.integrations.adapters.AdapterOptions;
import dev.secureyeoman.integrations.conversation.ConversationTracker;
import dev.secureyeoman.integrations.discord.DiscordIntegrationFactory;
import dev.secureyeoman.integrations.media.ClamdScanner;
import dev.secureyeoman.integrations.media.MediaHandler;
import dev.secureyeoman.integrations.media.MediaPolicy;
import dev.secureyeoman.integrations.plugin.IntegrationManager;
import dev.secureyeoman.integrations.plugin.PluginConfigSource;
import dev.secureyeoman.integrations.router.MessageRouter;
import dev.secureyeoman.integrations.router.RouterStats;
import dev.secureyeoman.integrations.slack.SlackIntegrationFactory;
import dev.secureyeoman.integrations.telegram.TelegramIntegrationFactory;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;

/**
 * A chat bot wired the way a host application wires one: the three built-in adapters registered with the
 * {@link IntegrationManager} (configuration from a YAML file, tokens included — use an {@code *.enc.yaml} in
 * production), a {@link MediaHandler} (clamd scanning when {@code --clamd-socket} is given), a
 * {@link ConversationTracker}, the {@link MessageRouter} with the persisted kill switch, and a local AI
 * ({@link QuotingResponder}) that quotes the context it receives.
 *
 * <p>It runs a scripted conversation against {@link FakePlatforms} — photos, reply chains, a Discord thread, a Slack
 * thread, an attempt to ping {@code @everyone}, and a message while the kill switch is engaged — and prints what each
 * platform received. Exit code 0 when every expectation held, 1 otherwise.
 *
 * <pre>
 * java -cp examples/target/gateway.jar dev.secureyeoman.examples.chatbot.ChatbotMain [--data-dir D] [--clamd-socket S]
 * </pre>
 */
public final class ChatbotMain {

  /**
   * Hibernate Validator (used by the config loader) logs its version through java.util.logging on stderr; this program
   * keeps stderr to its own lines. Held in a field: JUL keeps loggers weakly.
   */
  private static final java.util.logging.Logger HIBERNATE_VALIDATOR_JUL =
      java.util.logging.Logger.getLogger("org.hibernate.validator");
  private static final ObjectMapper JSON = new ObjectMapper();

  private ChatbotMain() {}

  /**
   * Runs the example.
   *
   * @param args {@code [--data-dir D] [--clamd-socket S]}
   * @throws Exception if the example could not run
   */
  public static void main(String[] args) throws Exception {
    HIBERNATE_VALIDATOR_JUL.setLevel(java.util.logging.Level.WARNING);
    int rc = run(args, System.out);
    if (rc != 0) {
      System.exit(rc);
    }
  }

  /**
   * Runs the example, printing to {@code out}.
   *
   * @param args the arguments
   * @param out where to print
   * @return 0 when every expectation held, 1 otherwise, 2 on a usage error
   * @throws Exception if the example could not run
   */
  public static int run(String[] args, PrintStream out) throws Exception {
    Path dataDir = null;
    Path clamd = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--data-dir") && i + 1 < args.length) {
        dataDir = Path.of(args[++i]);
      } else if (args[i].equals("--clamd-socket") && i + 1 < args.length) {
        clamd = Path.of(args[++i]);
      } else {
        out.println("error: usage: ChatbotMain [--data-dir D] [--clamd-socket S]");
        return 2;
      }
    }
    if (dataDir == null) {
      dataDir = Files.createTempDirectory("secureyeoman-chatbot");
    }
    Files.createDirectories(dataDir);
    Clock clock = Clock.systemUTC();
    try (FakePlatforms fakes = FakePlatforms.start(clock)) {
      Path config = writeConfig(dataDir, fakes);
      KillSwitch killSwitch = KillSwitch.builder(dataDir.resolve("kill-switch.json"))
          .listener(MessageRouter.auditing(e -> out.println("audit: " + e.event() + " by " + e.actor())))
          .build();
      if (killSwitch.isEngaged()) {
        killSwitch.release("chatbot-example", "fresh demo run");
      }
      MediaPolicy policy = MediaPolicy.builder()
          .allowHosts("telegram", "127.0.0.1").allowHosts("discord", "127.0.0.1").allowHosts("slack", "127.0.0.1")
          .allowLoopbackForTesting(fakes.port()) // the fakes are on loopback; never in production
          .build();
      MediaHandler.Builder mb = MediaHandler.builder().policy(policy).directory(dataDir.resolve("media"));
      if (clamd != null) {
        mb.scanner(ClamdScanner.unixSocket(clamd));
      } else {
        mb.withoutScanning();
      }
      // a reply already going out stops before its next part (or retry) when the kill switch is engaged
      AdapterOptions adapterOptions = AdapterOptions.builder().haltSendsWhile(killSwitch::isEngaged).build();
      TelegramIntegrationFactory telegram = new TelegramIntegrationFactory(adapterOptions);
      DiscordIntegrationFactory discord = new DiscordIntegrationFactory(adapterOptions);
      SlackIntegrationFactory slack = new SlackIntegrationFactory(adapterOptions);
      try (MediaHandler media = mb.build();
          ConversationTracker tracker = ConversationTracker.builder().assistantName("chatbot").build()) {
        MessageRouter router = MessageRouter.builder()
            .killSwitch(killSwitch).tracker(tracker).responder(new QuotingResponder()).media(media)
            .resolver("telegram", telegram).resolver("discord", discord).resolver("slack", slack)
            .build();
        try (IntegrationManager manager = IntegrationManager.builder()
            .auditSink(e -> out.println("audit: " + e.event()))
            .configSource(PluginConfigSource.fromFile(config, null))
            .inboundSink(router)
            .build()) {
          router.sendThrough(manager::send);
          manager.registerBuiltIn(telegram);
          manager.registerBuiltIn(discord);
          manager.registerBuiltIn(slack);
          if (!manager.startAll().isEmpty()) {
            out.println("error: an adapter did not start");
            return 1;
          }
          boolean ok = script(manager, fakes, killSwitch, out);
          out.println();
          out.println("What the platforms received:");
          for (FakePlatforms.Sent s : fakes.sent()) {
            out.println("  " + s.platform() + " [" + s.where() + "] " + s.text());
          }
          RouterStats st = router.stats();
          out.println("router: received " + st.received() + ", replied " + st.replied() + ", paused " + st.paused()
              + ", media accepted " + st.mediaAccepted() + ", refused " + st.mediaRefused() + ", failed "
              + st.failed());
          try (var left = Files.list(media.directory())) {
            long n = left.count();
            out.println("media files left on disk: " + n);
            ok &= n == 0;
          }
          ok &= st.replied() == 5 && st.paused() == 1 && st.failed() == 0 && st.mediaAccepted() == 3;
          out.println(ok ? "OK" : "FAILED");
          return ok ? 0 : 1;
        }
      }
    }
  }

  private static Path writeConfig(Path dataDir, FakePlatforms f) throws Exception {
    String yaml = "integrations:\n"
        + "  telegram:\n"
        + "    bot_token: \"" + f.telegramToken + "\"\n"
        + "    webhook_secret: \"" + f.telegramSecret + "\"\n"
        + "    api_base_url: \"" + f.baseUrl() + "/telegram\"\n"
        + "  discord:\n"
        + "    bot_token: \"" + f.discordToken + "\"\n"
        + "    public_key: \"" + f.discordPublicKey + "\"\n"
        + "    api_base_url: \"" + f.baseUrl() + "/discord/api/v10\"\n"
        + "  slack:\n"
        + "    bot_token: \"" + f.slackToken + "\"\n"
        + "    signing_secret: \"" + f.slackSigningSecret + "\"\n"
        + "    api_base_url: \"" + f.baseUrl() + "/slack/api\"\n";
    Path file = dataDir.resolve("chatbot.yaml");
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    return file;
  }

  private static boolean script(IntegrationManager manager, FakePlatforms f, KillSwitch ks, PrintStream out)
      throws Exception {
    long now = Clock.systemUTC().instant().getEpochSecond();
    boolean ok = true;
    // Telegram: a photo with a caption in a group, then a reply to the bot's answer (same reply chain)
    ObjectNode photo = telegramMessage(1, 10, now, "what is in this picture?");
    ArrayNode sizes = photo.withObject("message").putArray("photo");
    sizes.addObject().put("file_id", "AgAD-small").put("file_unique_id", "s").put("file_size", 100)
        .put("width", 90).put("height", 90);
    sizes.addObject().put("file_id", "AgAD-large").put("file_unique_id", "l").put("width", 800).put("height", 800);
    ok &= step(out, "telegram photo", manager.handleWebhook("telegram", f.telegramUpdate(photo)).status(), 200);
    String botMessage = "1001"; // the fake numbers sent messages from 1001: the bot's answer to the photo
    ObjectNode reply = telegramMessage(2, 11, now, "and the colours?");
    reply.withObject("message").putObject("reply_to_message").put("message_id", Long.parseLong(botMessage))
        .put("date", now).putObject("chat").put("id", -100123).put("type", "supergroup");
    ok &= step(out, "telegram reply to the bot", manager.handleWebhook("telegram", f.telegramUpdate(reply)).status(),
        200);
    // Discord: /ask in a thread channel with an image attachment
    ObjectNode ask = discordCommand("1300000000000000001", "hello from a discord thread",
        f.baseUrl() + "/discord/attachments/1/2/cat.png");
    ok &= step(out, "discord /ask", manager.handleWebhook("discord", f.discordInteraction(ask)).status(), 200);
    // Slack: a file share in a channel, then someone tries to ping everyone through the bot
    ok &= step(out, "slack file share", manager.handleWebhook("slack", f.slackEvent(slackMessage("Ev1", now + ".000100",
        null, "here is the diagram", f.baseUrl() + "/slack/files/T1/F1/diagram.png"))).status(), 200);
    ok &= step(out, "slack mention attempt", manager.handleWebhook("slack", f.slackEvent(slackMessage("Ev2",
        now + ".000200", now + ".000100", "<!everyone> <!channel> @here repeat after me", null))).status(), 200);
    // the kill switch: the platform gets its 200, the bot does nothing
    ks.engage("ops@example", "demo: pause all bot activity");
    int before = f.sent().size();
    ok &= step(out, "slack while paused", manager.handleWebhook("slack", f.slackEvent(slackMessage("Ev3",
        now + ".000300", null, "anyone there?", null))).status(), 200);
    ok &= step(out, "nothing sent while paused", f.sent().size() - before, 0);
    ks.release("ops@example", "demo over");
    // a forged Slack request is refused
    ObjectNode forged = slackMessage("Ev4", now + ".000400", null, "forged", null);
    WebhookRequest good = f.slackEvent(forged);
    WebhookRequest bad = WebhookRequest.builder("POST", "/")
        .header("X-Slack-Request-Timestamp", good.header("X-Slack-Request-Timestamp").orElseThrow())
        .header("X-Slack-Signature", "v0=" + "0".repeat(64)).body(good.body()).receivedAt(good.receivedAt()).build();
    ok &= step(out, "forged slack request", manager.handleWebhook("slack", bad).status(), 401);
    List<FakePlatforms.Sent> sent = f.sent();
    ok &= step(out, "replies sent", sent.size(), 5);
    ok &= step(out, "no @everyone ping in any reply", (int) sent.stream().filter(s -> s.text().contains("<!everyone>")
        || s.text().contains("<!channel>") || s.text().contains("@everyone")).count(), 0);
    return ok;
  }

  private static boolean step(PrintStream out, String what, int actual, int expected) {
    out.println((actual == expected ? "ok    " : "FAIL  ") + what + ": " + actual
        + (actual == expected ? "" : " (expected " + expected + ")"));
    return actual == expected;
  }

  private static ObjectNode telegramMessage(long updateId, long messageId, long date, String text) {
    ObjectNode u = JSON.createObjectNode().put("update_id", updateId);
    ObjectNode m = u.putObject("message").put("message_id", messageId).put("date", date);
    m.putObject("from").put("id", 42).put("is_bot", false).put("first_name", "Ada");
    m.putObject("chat").put("id", -100123).put("type", "supergroup").put("title", "demo");
    m.put(text.startsWith("what") ? "caption" : "text", text);
    return u;
  }

  private static ObjectNode discordCommand(String id, String text, String attachmentUrl) {
    ObjectNode i = JSON.createObjectNode().put("id", id).put("application_id", "1200000000000000001").put("type", 2)
        .put("token", "aW50ZXJhY3Rpb24tdG9rZW4tZGVtbw").put("version", 1).put("guild_id", "1100000000000000001")
        .put("channel_id", "1000000000000000002");
    i.putObject("channel").put("id", "1000000000000000002").put("type", 11).put("parent_id", "1000000000000000001");
    i.putObject("member").putObject("user").put("id", "900000000000000042").put("username", "grace")
        .put("global_name", "Grace");
    ObjectNode data = i.putObject("data").put("id", "1").put("name", "ask").put("type", 1);
    ArrayNode options = data.putArray("options");
    options.addObject().put("name", "text").put("type", 3).put("value", text);
    options.addObject().put("name", "image").put("type", 11).put("value", "555");
    data.putObject("resolved").putObject("attachments").putObject("555").put("id", "555")
        .put("filename", "../../cat.png").put("size", 2048).put("url", attachmentUrl).put("content_type", "image/png");
    return i;
  }

  private static ObjectNode slackMessage(String eventId, String ts, String threadTs, String text, String fileUrl) {
    ObjectNode env = JSON.createObjectNode().put("token", "unused").put("team_id", "T1").put("api_app_id", "A1")
        .put("type", "event_callback").put("event_id", eventId).put("event_time", 1);
    ObjectNode e = env.putObject("event").put("type", "message").put("channel", "C1").put("channel_type", "channel")
        .put("user", "U42").put("text", text).put("ts", ts);
    if (threadTs != null) {
      e.put("thread_ts", threadTs);
    }
    if (fileUrl != null) {
      e.put("subtype", "file_share");
      e.putArray("files").addObject().put("id", "F1").put("name", "diagram.png").put("mimetype", "image/png")
          .put("size", 2048).put("url_private_download", fileUrl);
    }
    return env;
  }
}
