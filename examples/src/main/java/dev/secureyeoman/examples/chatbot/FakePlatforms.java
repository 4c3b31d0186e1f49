package dev.secureyeoman.examples.chatbot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.secureyeoman.integrations.WebhookRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Loopback fakes of the Telegram Bot API, the Discord API v10 and the Slack Web API (one JDK HTTP server on
 * 127.0.0.1), speaking the platforms' JSON shapes and checking their credentials, plus the platform side of webhooks:
 * it builds the signed deliveries (Slack v0 HMAC, Discord Ed25519, Telegram secret token) a real platform would send.
 *
 * <p>Every message the bot sends is recorded as a {@link Sent}. Files are served at fake CDN paths.
 */
public final class FakePlatforms implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A message the bot sent to a platform. */
  public record Sent(String platform, String where, String text, JsonNode body) {}

  private final HttpServer server;
  private final Clock clock;
  private final List<Sent> sent = new CopyOnWriteArrayList<>();
  private final AtomicLong ids = new AtomicLong(1000);
  /** Telegram bot token. */
  public final String telegramToken;
  /** Telegram webhook secret token. */
  public final String telegramSecret;
  /** Discord bot token. */
  public final String discordToken;
  /** Discord application public key, hex. */
  public final String discordPublicKey;
  private final KeyPair discordKeys;
  /** Slack bot token. */
  public final String slackToken;
  /** Slack signing secret. */
  public final String slackSigningSecret;
  private final byte[] jpeg;
  private final byte[] png;

  private FakePlatforms(Clock clock) throws IOException, GeneralSecurityException {
    this.clock = clock;
    SecureRandom random = new SecureRandom();
    this.telegramToken = "7" + (100000 + random.nextInt(900000)) + ":" + token(random, 27);
    this.telegramSecret = token(random, 24);
    this.discordToken = token(random, 48);
    this.slackToken = "xoxb-" + token(random, 32);
    this.slackSigningSecret = HexFormat.of().formatHex(random.generateSeed(16));
    this.discordKeys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] enc = discordKeys.getPublic().getEncoded();
    this.discordPublicKey = HexFormat.of().formatHex(Arrays.copyOfRange(enc, enc.length - 32, enc.length));
    this.jpeg = image(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0});
    this.png = image(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/telegram/", this::telegram);
    server.createContext("/discord/", this::discord);
    server.createContext("/slack/", this::slack);
    server.start();
  }

  /**
   * Starts the fakes with fresh random credentials.
   *
   * @param clock the clock used for webhook timestamps
   * @return the fakes
   * @throws IOException if the server cannot bind
   * @throws GeneralSecurityException if Ed25519 is unavailable
   */
  public static FakePlatforms start(Clock clock) throws IOException, GeneralSecurityException {
    return new FakePlatforms(clock);
  }

  private static String token(SecureRandom random, int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static byte[] image(byte[] magic) {
    byte[] b = new byte[2048];
    System.arraycopy(magic, 0, b, 0, magic.length);
    return b;
  }

  /**
   * The base URL of the server.
   *
   * @return {@code http://127.0.0.1:<port>}
   */
  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  /**
   * The port.
   *
   * @return the port
   */
  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * Messages the bot sent so far.
   *
   * @return a copy
   */
  public List<Sent> sent() {
    return List.copyOf(sent);
  }

  // ------------------------------------------------------------------------------------------- platform APIs

  private void telegram(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getRawPath();
    byte[] body = read(ex);
    String bot = "/telegram/bot" + telegramToken + "/";
    if (path.startsWith("/telegram/file/bot" + telegramToken + "/photos/")) {
      respond(ex, 200, "image/jpeg", jpeg);
    } else if (!path.startsWith(bot)) {
      json(ex, 401, "{\"ok\":false,\"error_code\":401,\"description\":\"Unauthorized\"}");
    } else if (path.equals(bot + "getFile")) {
      json(ex, 200, "{\"ok\":true,\"result\":{\"file_id\":\"x\",\"file_unique_id\":\"u\",\"file_size\":" + jpeg.length
          + ",\"file_path\":\"photos/file_1.jpg\"}}");
    } else if (path.equals(bot + "sendMessage")) {
      JsonNode m = JSON.readTree(body);
      long id = ids.incrementAndGet();
      sent.add(new Sent("telegram", "chat " + m.path("chat_id").asText() + (m.has("reply_parameters")
          ? " reply to " + m.get("reply_parameters").path("message_id").asText() : ""), m.path("text").asText(), m));
      json(ex, 200, "{\"ok\":true,\"result\":{\"message_id\":" + id + ",\"chat\":{\"id\":" + m.path("chat_id")
          .asText() + ",\"type\":\"supergroup\"},\"date\":" + clock.instant().getEpochSecond() + "}}");
    } else {
      json(ex, 404, "{\"ok\":false,\"error_code\":404,\"description\":\"Not Found\"}");
    }
  }

  private void discord(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getRawPath();
    byte[] body = read(ex);
    if (path.startsWith("/discord/attachments/")) {
      respond(ex, 200, "image/png", png);
      return;
    }
    boolean webhook = path.startsWith("/discord/api/v10/webhooks/");
    boolean channel = path.startsWith("/discord/api/v10/channels/");
    if (channel && !("Bot " + discordToken).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
      json(ex, 401, "{\"message\":\"401: Unauthorized\",\"code\":0}");
      return;
    }
    if (webhook || channel) {
      JsonNode m = JSON.readTree(body);
      sent.add(new Sent("discord", webhook ? ex.getRequestMethod() + " interaction response" : "channel "
          + path.split("/")[5], m.path("content").asText(), m));
      json(ex, 200, "{\"id\":\"" + ids.incrementAndGet() + "\"}");
      return;
    }
    json(ex, 404, "{\"message\":\"404: Not Found\",\"code\":0}");
  }

  private void slack(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getRawPath();
    byte[] body = read(ex);
    boolean authorised = ("Bearer " + slackToken).equals(ex.getRequestHeaders().getFirst("Authorization"));
    if (path.startsWith("/slack/files/")) {
      if (authorised) {
        respond(ex, 200, "image/png", png);
      } else {
        respond(ex, 403, "text/plain", "forbidden".getBytes(StandardCharsets.UTF_8));
      }
    } else if (path.equals("/slack/api/chat.postMessage")) {
      if (!authorised) {
        json(ex, 200, "{\"ok\":false,\"error\":\"invalid_auth\"}");
        return;
      }
      JsonNode m = JSON.readTree(body);
      sent.add(new Sent("slack", "channel " + m.path("channel").asText() + (m.has("thread_ts") ? " thread "
          + m.get("thread_ts").asText() : ""), m.path("text").asText(), m));
      json(ex, 200, "{\"ok\":true,\"channel\":\"" + m.path("channel").asText() + "\",\"ts\":\""
          + clock.instant().getEpochSecond() + "." + ids.incrementAndGet() + "\"}");
    } else {
      json(ex, 404, "{\"ok\":false,\"error\":\"unknown_method\"}");
    }
  }

  private static byte[] read(HttpExchange ex) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      return in.readNBytes(1 << 20);
    }
  }

  private static void json(HttpExchange ex, int status, String body) throws IOException {
    respond(ex, status, "application/json", body.getBytes(StandardCharsets.UTF_8));
  }

  private static void respond(HttpExchange ex, int status, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  // ------------------------------------------------------------------------------------------- webhook deliveries

  /**
   * A Telegram update (webhook) with the secret token header.
   *
   * @param update the update JSON
   * @return the request
   */
  public WebhookRequest telegramUpdate(ObjectNode update) {
    return WebhookRequest.builder("POST", "/").header("Content-Type", "application/json")
        .header("X-Telegram-Bot-Api-Secret-Token", telegramSecret)
        .body(update.toString().getBytes(StandardCharsets.UTF_8)).receivedAt(clock.instant()).build();
  }

  /**
   * A Slack Events API delivery signed with the signing secret (v0).
   *
   * @param event the envelope JSON
   * @return the request
   * @throws GeneralSecurityException if HMAC-SHA256 is unavailable
   */
  public WebhookRequest slackEvent(ObjectNode event) throws GeneralSecurityException {
    byte[] body = event.toString().getBytes(StandardCharsets.UTF_8);
    String ts = Long.toString(clock.instant().getEpochSecond());
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(slackSigningSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    mac.update(("v0:" + ts + ":").getBytes(StandardCharsets.US_ASCII));
    return WebhookRequest.builder("POST", "/").header("Content-Type", "application/json")
        .header("X-Slack-Request-Timestamp", ts)
        .header("X-Slack-Signature", "v0=" + HexFormat.of().formatHex(mac.doFinal(body)))
        .body(body).receivedAt(clock.instant()).build();
  }

  /**
   * A Discord interaction signed with the application's Ed25519 key.
   *
   * @param interaction the interaction JSON
   * @return the request
   * @throws GeneralSecurityException if Ed25519 is unavailable
   */
  public WebhookRequest discordInteraction(ObjectNode interaction) throws GeneralSecurityException {
    byte[] body = interaction.toString().getBytes(StandardCharsets.UTF_8);
    String ts = Long.toString(clock.instant().getEpochSecond());
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(discordKeys.getPrivate());
    s.update(ts.getBytes(StandardCharsets.US_ASCII));
    s.update(body);
    return WebhookRequest.builder("POST", "/").header("Content-Type", "application/json")
        .header("X-Signature-Ed25519", HexFormat.of().formatHex(s.sign())).header("X-Signature-Timestamp", ts)
        .body(body).receivedAt(clock.instant()).build();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
