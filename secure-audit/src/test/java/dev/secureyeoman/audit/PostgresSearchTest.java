package dev.secureyeoman.audit;

import static dev.secureyeoman.audit.PostgresAuditStoreTest.count;
import static dev.secureyeoman.audit.PostgresAuditStoreTest.dataSource;
import static dev.secureyeoman.audit.PostgresAuditStoreTest.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.testkit.PostgresDatabase;
import dev.secureyeoman.testkit.PostgresExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;

/** Full-text search on PostgreSQL finds what every node appended in concurrent group commits, from any node. */
@ExtendWith(PostgresExtension.class)
@EnabledIf(value = "dev.secureyeoman.audit.PostgresAuditStoreTest#available", disabledReason = PostgresAuditStoreTest.MISSING)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PostgresSearchTest {

  private static AuditEvent marked(String node, int i) {
    return AuditEvent.builder("sandbox.denied").level(AuditLevel.WARN).actor("svc-" + node)
        .message("Blocked by Policy-" + node + " attempt " + i).put("node", node).build();
  }

  @Test
  void threeNodes_concurrentGroups_searchFindsEachNodesEntries(PostgresDatabase db) throws Exception {
    DataSource ds = dataSource(db);
    try (AuditStore a = open(ds);
        AuditStore b = open(ds);
        AuditStore c = open(ds)) {
      AuditStore[] nodes = {a, b, c};
      String[] names = {"alpha", "bravo", "charlie"};
      List<CompletableFuture<AuditEntry>> fs = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        for (int n = 0; n < 3; n++) {
          fs.add(nodes[n].appendAsync(marked(names[n], i)));
        }
      }
      for (CompletableFuture<AuditEntry> f : fs) {
        f.get(60, TimeUnit.SECONDS);
      }
      for (int n = 0; n < 3; n++) {
        // searched from another node than the writer; case-folded like the 'simple' configuration
        List<AuditEntry> hits = nodes[(n + 1) % 3].search("policy-" + names[n].toUpperCase(java.util.Locale.ROOT), 500);
        assertEquals(40, hits.size(), names[n]);
        for (AuditEntry e : hits) {
          assertEquals("svc-" + names[n], e.actor());
        }
        // a metadata value is searchable too
        assertEquals(40, a.search(names[n] + " blocked", 500).size());
      }
      assertEquals(120, count(ds));
      assertTrue(b.verify().valid());
    }
  }
}
