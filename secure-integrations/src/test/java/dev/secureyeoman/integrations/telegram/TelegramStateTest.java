package dev.secureyeoman.integrations.telegram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.crypto.SecretStore;
import dev.secureyeoman.core.crypto.SecretStores;
import dev.secureyeoman.integrations.Integration;
import dev.secureyeoman.integrations.IntegrationException;
import dev.secureyeoman.integrations.UnifiedMessage;
import dev.secureyeoman.integrations.adapters.AdapterOptions;
import dev.secureyeoman.integrations.adapters.FakePlatform;
import dev.secureyeoman.integrations.adapters.TestContext;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sealed polling offset ({@code state_file}): survives a restart, fails closed when tampered with or foreign. */
class TelegramStateTest {
  private static final String TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
  private static final long FIRST = 734_512_900L;
  private static final Pattern OFFSET = Pattern.compile("offset=(\\d+)");

  @TempDir Path tmp;
  private FakePlatform telegram;
  private Path state;
  private final SecretStore sealer = SecretStores.withKey(SecretBytes.copyOf(key(7)));
  private final List<Integration<TelegramConfig>> started = new ArrayList<>();

  private static byte[] key(int b) {
    byte[] k = new byte[32];
    Arrays.fill(k, (byte) b);
    return k;
  }

  /** Telegram's semantics: getUpdates returns every pending update with update_id >= offset. */
  @BeforeEach
  void setUp() throws Exception {
    telegram = new FakePlatform();
    telegram.on("/bot" + TOKEN + "/getUpdates", r -> {
      Matcher m = OFFSET.matcher(r.path());
      long offset = m.find() ? Long.parseLong(m.group(1)) : 0;
      StringBuilder b = new StringBuilder("{\"ok\":true,\"result\":[");
      String sep = "";
      for (long id = FIRST; id < FIRST + 2; id++) {
        if (id >= offset) {
          b.append(sep).append(message(id, id - FIRST + 10, "m" + (id - FIRST)));
          sep = ",";
        }
      }
      return FakePlatform.Response.json(200, b.append("]}").toString());
    });
    state = tmp.resolve("telegram.offset");
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Integration<TelegramConfig> a : started) {
      a.stop();
    }
    telegram.close();
  }

  private static String message(long updateId, long messageId, String text) {
    return "{\"update_id\":" + updateId + ",\"message\":{\"message_id\":" + messageId + ",\"from\":{\"id\":42,"
        + "\"is_bot\":false,\"first_name\":\"Ada\"},\"chat\":{\"id\":-1001,\"type\":\"supergroup\"},"
        + "\"date\":1733133600,\"text\":\"" + text + "\"}}";
  }

  private TelegramConfig polling(Path file) {
    return new TelegramConfig(TOKEN, "polling", null, telegram.baseUrl(), null, 0,
        file == null ? null : file.toString());
  }

  @SuppressWarnings("unchecked")
  private Integration<TelegramConfig> create(SecretStore s) {
    TelegramIntegrationFactory f = s == null ? new TelegramIntegrationFactory(AdapterOptions.defaults())
        : new TelegramIntegrationFactory(AdapterOptions.defaults(), s);
    return (Integration<TelegramConfig>) f.create();
  }

  /** Starts an adapter in a fresh context (a restarted process) and runs one poll. */
  private TestContext startAndPoll(SecretStore s, TelegramConfig config, String integrationId) throws Exception {
    Integration<TelegramConfig> a = create(s);
    TestContext ctx = new TestContext(integrationId);
    a.init(config, ctx);
    a.start();
    started.add(a);
    ctx.periodic.get(0).run();
    return ctx;
  }

  private long lastOffsetAsked() {
    List<FakePlatform.Request> calls = telegram.requests("/bot" + TOKEN + "/getUpdates");
    Matcher m = OFFSET.matcher(calls.get(calls.size() - 1).path());
    assertTrue(m.find());
    return Long.parseLong(m.group(1));
  }

  @Test
  void restartAfterAProcessedBatch_continuesAfterTheLastUpdate_withoutRedelivery() throws Exception {
    TestContext first = startAndPoll(sealer, polling(state), "telegram");
    assertEquals(List.of("m0", "m1"), first.inbound.stream().map(UnifiedMessage::text).toList());
    assertEquals(0, lastOffsetAsked());
    assertTrue(Files.exists(state), "written after the processed batch, before the next getUpdates confirms it");
    assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(state));

    // crash: the first instance never polls again; a new one starts from the sealed offset
    TestContext second = startAndPoll(sealer, polling(state), "telegram");
    assertEquals(FIRST + 2, lastOffsetAsked(), "the restarted adapter asks past the processed batch");
    assertTrue(second.inbound.isEmpty(), "nothing handed on twice");

    // control: without a state file, a restart fetches and hands on the last batch again (documented behaviour)
    TestContext memoryOnly = startAndPoll(null, polling(null), "telegram");
    assertEquals(0, lastOffsetAsked());
    assertEquals(2, memoryOnly.inbound.size());
  }

  @Test
  void stateFile_holdsNoPlaintextOffset_andOpensOnlyWithItsKeyAndContext() throws Exception {
    startAndPoll(sealer, polling(state), "telegram");
    byte[] file = Files.readAllBytes(state);
    long next = FIRST + 2;
    String latin = new String(file, StandardCharsets.ISO_8859_1);
    for (long v : new long[] {next, next - 1, FIRST}) {
      assertFalse(latin.contains(Long.toString(v)), "no decimal update id or offset in the file");
      assertFalse(latin.contains(new String(ByteBuffer.allocate(8).putLong(v).array(), StandardCharsets.ISO_8859_1)),
          "no binary offset in the file");
    }
    assertFalse(latin.contains("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"), "no token");
    byte[] plain = sealer.decrypt(file, "telegram-state:v1:telegram:123456789".getBytes(StandardCharsets.UTF_8));
    assertArrayEquals(ByteBuffer.allocate(9).put((byte) 1).putLong(next).array(), plain);
  }

  @Test
  void flippedByte_isATypedError_andTheOffsetIsNeverReset() throws Exception {
    startAndPoll(sealer, polling(state), "telegram");
    byte[] file = Files.readAllBytes(state);
    int polls = telegram.requests("/bot" + TOKEN + "/getUpdates").size();
    for (int i : new int[] {0, file.length / 2, file.length - 1}) {
      byte[] bad = file.clone();
      bad[i] ^= 0x01;
      Files.write(state, bad);
      Integration<TelegramConfig> a = create(sealer);
      TestContext ctx = new TestContext("telegram");
      a.init(polling(state), ctx);
      TelegramStateException e = assertThrows(TelegramStateException.class, a::start, "byte " + i);
      assertEquals(TelegramStateException.Reason.TAMPERED, e.reason());
      assertTrue(e.getMessage().contains("telegram.offset") && e.getMessage().contains("refusing to start"),
          e.getMessage());
      assertTrue(ctx.periodic.isEmpty(), "no polling from offset 0");
      assertArrayEquals(bad, Files.readAllBytes(state), "the evidence is left as it was");
    }
    Files.write(state, Arrays.copyOf(file, 5));
    Integration<TelegramConfig> a = create(sealer);
    a.init(polling(state), new TestContext("telegram"));
    assertEquals(TelegramStateException.Reason.TAMPERED,
        assertThrows(TelegramStateException.class, a::start).reason(), "truncated");
    assertEquals(polls, telegram.requests("/bot" + TOKEN + "/getUpdates").size(), "no getUpdates after refusals");
    // legitimate path: the intact file still works
    Files.write(state, file);
    assertTrue(startAndPoll(sealer, polling(state), "telegram").inbound.isEmpty());
    assertEquals(FIRST + 2, lastOffsetAsked());
  }

  @Test
  void fileSealedForAnotherIntegrationIdOrKey_isRefused() throws Exception {
    // another integration (id "telegram-support") writes its own offset file through the same code path
    startAndPoll(sealer, polling(state), "telegram-support");
    assertTrue(Files.exists(state));
    Integration<TelegramConfig> a = create(sealer);
    a.init(polling(state), new TestContext("telegram"));
    TelegramStateException e = assertThrows(TelegramStateException.class, a::start);
    assertEquals(TelegramStateException.Reason.TAMPERED, e.reason());
    assertTrue(e.getMessage().contains("another integration"), e.getMessage());

    // the owner's file opened with another key is refused as well
    Files.delete(state);
    startAndPoll(sealer, polling(state), "telegram");
    Integration<TelegramConfig> b = create(SecretStores.withKey(SecretBytes.copyOf(key(8))));
    b.init(polling(state), new TestContext("telegram"));
    assertEquals(TelegramStateException.Reason.TAMPERED,
        assertThrows(TelegramStateException.class, b::start).reason());
  }

  @Test
  void stateFile_needsASealerAndPollingMode_andAnUnwritableFileIsATypedError() throws Exception {
    Integration<TelegramConfig> noSealer = create(null);
    IntegrationException e = assertThrows(IntegrationException.class,
        () -> noSealer.init(polling(state), new TestContext("telegram")));
    assertTrue(e.getMessage().contains("SecretStore"), e.getMessage());
    Integration<TelegramConfig> webhook = create(sealer);
    assertThrows(IntegrationException.class, () -> webhook.init(new TelegramConfig(TOKEN, "webhook",
        "s3cr3t-token_for-the-webhook", telegram.baseUrl(), null, 0, state.toString()), new TestContext("telegram")));
    assertTrue(polling(state).toString().contains("telegram.offset"));
    assertTrue(polling(null).toString().contains("stateFile=none"));

    // the state path is a directory: the batch is handed on, the failed write is reported (and retried next batch)
    Path dir = Files.createDirectory(tmp.resolve("dir"));
    Integration<TelegramConfig> a = create(sealer);
    TestContext ctx = new TestContext("telegram");
    a.init(polling(dir), ctx);
    TelegramStateException read = assertThrows(TelegramStateException.class, a::start);
    assertEquals(TelegramStateException.Reason.STORE_FAILED, read.reason());
    Path missingParent = tmp.resolve("no-such-dir").resolve("telegram.offset");
    Integration<TelegramConfig> c = create(sealer);
    TestContext cctx = new TestContext("telegram");
    c.init(polling(missingParent), cctx);
    c.start();
    started.add(c);
    TelegramStateException write = assertThrows(TelegramStateException.class,
        () -> ((dev.secureyeoman.integrations.telegram.internal.TelegramAdapter) c).pollOnce());
    assertEquals(TelegramStateException.Reason.STORE_FAILED, write.reason());
    assertEquals(2, cctx.inbound.size());
  }
}
