package dev.secureyeoman.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code /healthz} sample in the docs ({@code curl -s …/healthz} followed by a {@code # {json}} comment line) is
 * what a freshly started gateway answers: same fields, same values, except the sandbox backend, which depends on the
 * machine (checked against the documented set).
 */
class DocsGatewaySampleTest {
  private static final Set<String> BACKENDS = Set.of("BWRAP", "UNSHARE_LANDLOCK", "NONE");

  @TempDir Path tmp;

  record Sample(String where, String json) {}

  static List<Sample> healthzSamples() throws Exception {
    Path repo = Path.of("").toAbsolutePath().getParent();
    List<Sample> samples = new ArrayList<>();
    List<Path> docs = new ArrayList<>(List.of(repo.resolve("README.md")));
    try (var s = Files.list(repo.resolve("docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    for (Path doc : docs) {
      List<String> lines = Files.readAllLines(doc);
      for (int i = 0; i + 1 < lines.size(); i++) {
        if (lines.get(i).matches("curl -s (\\$B|http://127\\.0\\.0\\.1:\\d+)/healthz") && lines.get(i + 1).startsWith("# {")) {
          samples.add(new Sample(repo.relativize(doc) + ":" + (i + 2), lines.get(i + 1).substring(2)));
        }
      }
    }
    return samples;
  }

  @Test
  void healthzSample_isWhatAFreshGatewayAnswers() throws Exception {
    List<Sample> samples = healthzSamples();
    assertTrue(!samples.isEmpty(), "no /healthz sample found in the docs");
    try (GatewayFixture f = new GatewayFixture(tmp)) {
      HttpResponse<String> r = f.get("/healthz");
      assertEquals(200, r.statusCode(), r.body());
      JsonNode actual = GatewayFixture.JSON.readTree(r.body());
      for (Sample s : samples) {
        JsonNode documented = GatewayFixture.JSON.readTree(s.json());
        assertTrue(
            BACKENDS.contains(actual.path("sandbox").path("backend").asText()), "backend of " + r.body());
        ((com.fasterxml.jackson.databind.node.ObjectNode) actual.get("sandbox"))
            .set("backend", documented.path("sandbox").path("backend"));
        assertEquals(
            fields(documented), fields(actual), s.where() + ": the documented /healthz body differs; a fresh gateway answers " + r.body());
        assertEquals(documented, actual, s.where() + ": the documented /healthz body differs; a fresh gateway answers " + r.body());
      }
    }
  }

  private static List<String> fields(JsonNode n) {
    List<String> out = new ArrayList<>();
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      out.add(k);
      for (String sub : fields(n.get(k))) {
        out.add(k + "." + sub);
      }
    }
    return out;
  }
}
