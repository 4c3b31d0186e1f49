package dev.secureyeoman.audit.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.secureyeoman.audit.AuditEntry;
import dev.secureyeoman.audit.AuditEvent;
import dev.secureyeoman.audit.AuditException;
import dev.secureyeoman.audit.AuditStore;
import dev.secureyeoman.audit.AuditStoreOptions;
import dev.secureyeoman.audit.SqliteAuditStore;
import dev.secureyeoman.core.SecretBytes;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one row reader of both engines reads by column name: any column order, prefixes, extra columns. */
class RowReaderTest {
  @TempDir Path dir;

  private static byte[] keyBytes() {
    byte[] b = new byte[32];
    new Random(1).nextBytes(b);
    return b;
  }

  @Test
  void columnsInAnyOrderWithPrefixAndExtraColumn_sameRow_sameCanonicalMac() throws Exception {
    Path db = dir.resolve("audit.db");
    AuditEntry stored;
    try (AuditStore s =
        SqliteAuditStore.open(AuditStoreOptions.builder(db).macKey(SecretBytes.adopt(keyBytes())).build())) {
      stored =
          s.append(AuditEvent.builder("app.x").actor("bob").message("m é").correlationId("req-1").put("n", 3)
              .put("s", "x\"y").build());
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement()) {
      Row plain;
      try (ResultSet rs = st.executeQuery(SqliteStore.SELECT_ROW + " WHERE seq = 1")) {
        plain = RowReader.of(rs).read(rs);
      }
      Row shuffled;
      try (ResultSet rs =
          st.executeQuery(
              "SELECT 'extra' AS junk, l.hash, l.prev_hash, l.key_id, l.correlation_id, l.metadata, l.message,"
                  + " l.actor, l.event, l.level, l.ts, l.seq FROM audit_log l WHERE l.seq = 1")) {
        RowReader rows = RowReader.of(rs);
        assertEquals(1, rows.seq(rs));
        shuffled = rows.read(rs);
        assertEquals(stored, rows.entry(rs));
      }
      assertEquals(plain.seq(), shuffled.seq());
      assertEquals(plain.metadata(), shuffled.metadata());
      assertEquals(plain.correlationId(), shuffled.correlationId());
      byte[] logId = Schema.readIdentity(c).id();
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(keyBytes(), "HmacSHA256"));
      assertArrayEquals(Canonical.encode(plain, logId), Canonical.encode(shuffled, logId));
      assertArrayEquals(plain.hash(), mac.doFinal(Canonical.encode(shuffled, logId)), "the stored MAC verifies");
    }
  }

  @Test
  void malformedRow_typedWithItsSeq_missingColumn_sqlError() throws Exception {
    Path db = dir.resolve("bad.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE audit_log (seq INTEGER, ts INTEGER, level TEXT, event TEXT, actor TEXT, message TEXT,"
              + " metadata TEXT, correlation_id TEXT, key_id INTEGER, prev_hash BLOB, hash BLOB)");
      st.execute("INSERT INTO audit_log VALUES (5, 1, 'INFO', 'e', 'a', 'm', 'not json', NULL, 1, x'00', x'00')");
      st.execute("INSERT INTO audit_log VALUES (6, 1, 'INFO', 'e', NULL, 'm', '{}', NULL, 1, x'00', x'00')");
      st.execute("INSERT INTO audit_log VALUES (7, 1, 'INFO', 'e', 'a', 'm', '{}', NULL, 1, NULL, x'00')");
      try (ResultSet rs = st.executeQuery(SqliteStore.SELECT_ROW + " ORDER BY seq")) {
        RowReader rows = RowReader.of(rs);
        for (long seq = 5; seq <= 7; seq++) {
          rs.next();
          AuditException e = assertThrows(AuditException.class, () -> rows.entry(rs));
          assertEquals(AuditException.Reason.STORAGE, e.reason());
          assertEquals(true, e.getMessage().contains("seq " + seq), e.getMessage());
        }
      }
      try (ResultSet rs = st.executeQuery("SELECT seq, ts FROM audit_log")) {
        assertThrows(SQLException.class, () -> RowReader.of(rs));
      }
    }
  }
}
