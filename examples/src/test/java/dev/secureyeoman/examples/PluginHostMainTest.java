package dev.secureyeoman.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.integrations.plugin.IntegrationState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin-host example with the sample plugin jar the reactor built ({@code examples/sample-plugin}). */
class PluginHostMainTest {
  private static final String SECRET = "s3cret-webhook-value-0001";

  @TempDir Path tmp;
  private Path plugins;
  private Path config;
  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(stdout, true, StandardCharsets.UTF_8);

  @BeforeEach
  void setUp() throws Exception {
    Path jar = Path.of(System.getProperty("sample.plugin.jar", "missing"));
    assertTrue(Files.isRegularFile(jar), "build the sample plugin first (./mvnw verify): " + jar);
    plugins = Files.createDirectory(tmp.resolve("plugins"));
    Files.copy(jar, plugins.resolve("echo.jar"));
    config = Files.writeString(tmp.resolve("app.yaml"),
        "integrations:\n  echo:\n    prefix: \"> \"\n    webhook_secret: \"" + SECRET + "\"\n");
  }

  private HttpResponse<String> post(int port, String path, String secret, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (secret != null) {
      b.header("X-Echo-Secret", secret).header("X-Echo-Chat", "room1").header("X-Echo-User", "alice");
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void start_samplePluginJar_webhookDeliversAndRouterRepliesInThread() throws Exception {
    PluginHostMain.Options o = PluginHostMain.Options.parse("--plugins", plugins.toString(), "--config",
        config.toString(), "--data-dir", tmp.resolve("data").toString(), "--port", "0");
    try (PluginHostMain host = PluginHostMain.start(o, Map.<String, String>of()::get, out)) {
      assertEquals(IntegrationState.RUNNING, host.manager().status("echo").orElseThrow().state());
      assertTrue(host.failures().isEmpty(), host.failures().toString());
      HttpResponse<String> ok = post(host.port(), "/hooks/echo", SECRET, "hello");
      assertEquals(200, ok.statusCode(), ok.body());
      assertEquals(401, post(host.port(), "/hooks/echo", "wrong-secret-value-000", "x").statusCode());
      assertEquals(404, post(host.port(), "/hooks/nobody", SECRET, "x").statusCode());
      assertEquals("received 1, sent 1", host.manager().health("echo").detail());
    }
    String printed = stdout.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("plugin echo.jar echo 0.1.0-SNAPSHOT "), printed);
    assertTrue(printed.contains("integration echo 0.1.0-SNAPSHOT RUNNING"), printed);
    assertTrue(printed.contains("inbound echo/room1/main from alice: 5 chars"), printed);
    assertTrue(printed.contains("replied echo-1 in echo/room1/main"), printed);
    assertTrue(!printed.contains(SECRET), "the secret never reaches the output");
  }

  @Test
  void launch_once_missingSecretOrBadArguments_exitCodes() throws Exception {
    Files.writeString(config, "integrations:\n  echo: { max_length: 0 }\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = PluginHostMain.launch(new String[] {"--plugins", plugins.toString(), "--config", config.toString(),
        "--data-dir", tmp.resolve("data").toString(), "--once"}, k -> null, out,
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(1, code);
    String printed = stdout.toString(StandardCharsets.UTF_8);
    assertTrue(printed.contains("echo.max_length: must be greater than or equal to 1"), printed);
    assertTrue(printed.contains("echo.webhook_secret: must not be blank"), printed);
    assertEquals(2, PluginHostMain.launch(new String[] {"--config", "x"}, k -> null, out,
        new PrintStream(err, true, StandardCharsets.UTF_8)));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("error: --plugins is required"));
  }
}
