package dev.secureyeoman.audit.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.Predicate;

/**
 * Tells a wrong key apart from an edited head at open (both engines): when the newest entry fails its MAC under a key
 * id the keyring holds, one of a few earlier entries under that key id verifying proves the key is right, so the head
 * was edited. A wrong key cannot make any of them verify.
 */
final class HeadCheck {
  /** Most earlier entries under the head's key id that are checked (bounded work at open), plus the first one. */
  static final int ENTRIES = 8;

  private HeadCheck() {}

  /**
   * Whether one of the {@link #ENTRIES} entries before {@code headSeq} under {@code keyId}, or the first entry under
   * it, passes {@code macOk}.
   *
   * @param c the connection (inside the caller's transaction)
   * @param headSeq the head's seq
   * @param keyId the head's key id
   * @param macOk the store's MAC check of one row
   * @return true when an earlier entry verifies
   * @throws SQLException if the rows cannot be read
   */
  static boolean earlierEntryVerifies(Connection c, long headSeq, int keyId, Predicate<Row> macOk)
      throws SQLException {
    for (String order : new String[] {" ORDER BY seq DESC LIMIT " + ENTRIES, " ORDER BY seq ASC LIMIT 1"}) {
      try (PreparedStatement ps = c.prepareStatement(SqliteStore.SELECT_ROW + " WHERE key_id = ? AND seq < ?" + order)) {
        ps.setInt(1, keyId);
        ps.setLong(2, headSeq);
        try (ResultSet rs = ps.executeQuery()) {
          RowReader reader = null;
          while (rs.next()) {
            try {
              if (reader == null) {
                reader = RowReader.of(rs);
              }
              if (macOk.test(reader.read(rs))) {
                return true;
              }
            } catch (IllegalArgumentException | NullPointerException e) {
              // an unreadable earlier entry proves nothing either way
            }
          }
        }
      }
    }
    return false;
  }
}
