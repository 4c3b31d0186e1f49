package dev.secureyeoman.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayMainTest {

  @TempDir Path tmp;

  @Test
  void healthz_answersOnLoopback_unknownPathIs404() throws Exception {
    Path data = tmp.resolve("data");
    GatewayMain g = GatewayMain.start(0, data);
    try {
      HttpClient c = HttpClient.newHttpClient();
      HttpResponse<String> ok = c.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + "/healthz")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, ok.statusCode());
      assertEquals("{\"status\":\"ok\"}", ok.body());
      assertEquals("nosniff", ok.headers().firstValue("X-Content-Type-Options").orElse(""));
      HttpResponse<String> missing = c.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + "/admin")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(404, missing.statusCode());
      HttpResponse<String> post = c.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + "/healthz"))
              .POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(405, post.statusCode());
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
    } finally {
      g.stop();
    }
  }
}
