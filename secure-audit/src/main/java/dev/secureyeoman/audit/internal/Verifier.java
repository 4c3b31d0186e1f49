package dev.secureyeoman.audit.internal;

import dev.secureyeoman.audit.AuditKeyring;
import dev.secureyeoman.audit.Checkpoint;
import dev.secureyeoman.audit.VerificationProgress;
import dev.secureyeoman.audit.VerificationResult;
import dev.secureyeoman.audit.VerificationResult.Problem;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import javax.crypto.Mac;

/** Streams the log and checks every MAC, chain link, sequence number, the retention anchor and checkpoints. */
public final class Verifier {
  /** Progress is reported every this many entries. */
  public static final int PROGRESS_EVERY = 4096;

  private final AuditKeyring ring;
  private final Map<Integer, Mac> macs = new HashMap<>();

  /**
   * Creates a verifier.
   *
   * @param ring the keys
   */
  public Verifier(AuditKeyring ring) {
    this.ring = ring;
  }

  private Mac mac(int keyId) {
    return macs.computeIfAbsent(keyId, id -> KeyringAccess.newMac(ring, id));
  }

  /** Thrown internally to stop at the first problem. */
  private static final class Broken extends Exception {
    private static final long serialVersionUID = 1L;
    final long seq;
    final Problem problem;

    Broken(long seq, Problem problem, String detail) {
      super(detail, null, false, false);
      this.seq = seq;
      this.problem = problem;
    }
  }

  /** The purge entry that authenticates a log starting after seq 1. */
  private record Anchor(long seq, byte[] lastDeletedHash) {}

  /**
   * Verifies entries with {@code seq <= upTo} on {@code c}, which must already be inside a transaction (a read snapshot).
   *
   * @param c connection inside a transaction
   * @param checkpoints checkpoints to check (signatures are checked against {@code key})
   * @param key trusted checkpoint key, required when checkpoints are given
   * @param progress progress callback
   * @param upTo last seq to check (Long.MAX_VALUE for all); an anchor beyond it is MAC-checked on its own
   * @return the result
   * @throws SQLException on storage failure
   */
  public VerificationResult verify(
      Connection c, List<Checkpoint> checkpoints, PublicKey key, VerificationProgress progress, long upTo)
      throws SQLException {
    long first;
    long head;
    try (PreparedStatement ps = c.prepareStatement("SELECT min(seq), max(seq) FROM audit_log WHERE seq <= ?")) {
      ps.setLong(1, upTo);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        first = rs.getLong(1);
        head = rs.getLong(2);
      }
    }
    long checked = 0;
    try {
      Map<Long, Checkpoint> bySeq = new HashMap<>();
      for (Checkpoint cp : checkpoints) {
        if (key == null || !cp.verifySignature(key)) {
          throw new Broken(
              cp.seq(), Problem.CHECKPOINT_SIGNATURE_INVALID,
              "checkpoint for seq " + cp.seq() + " is not signed by the trusted key");
        }
        bySeq.put(cp.seq(), cp);
      }
      byte[] prev = SqliteStore.GENESIS;
      Anchor anchor = null;
      if (first > 1) {
        anchor = findAnchor(c, first);
        if (anchor == null) {
          throw new Broken(
              first, Problem.UNANCHORED_START,
              "entries before seq " + first + " are missing and no authenticated retention_purge entry covers them");
        }
        prev = anchor.lastDeletedHash();
        if (anchor.seq() > upTo) {
          checkSingle(c, anchor.seq());
        }
      }
      long expected = first == 0 ? 1 : first;
      long total = head == 0 ? 0 : head - first + 1;
      try (PreparedStatement ps = c.prepareStatement(SqliteStore.SELECT_ROW + " WHERE seq <= ? ORDER BY seq")) {
        ps.setLong(1, upTo);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            Row row = readRow(rs);
            if (row.seq() != expected) {
              throw new Broken(
                  expected, Problem.SEQUENCE_GAP, "expected seq " + expected + " but found seq " + row.seq());
            }
            checkMac(row);
            if (!MessageDigest.isEqual(row.prevHash(), prev)) {
              throw new Broken(
                  row.seq(), Problem.CHAIN_BROKEN,
                  "prev_hash does not match the previous entry: entries removed, inserted or reordered");
            }
            Checkpoint cp = bySeq.get(row.seq());
            if (cp != null && !cp.headHash().equals(HexFormat.of().formatHex(row.hash()))) {
              throw new Broken(
                  row.seq(), Problem.CHECKPOINT_MISMATCH,
                  "entry differs from the signed checkpoint of " + cp.time() + ": log rolled back or forked");
            }
            prev = row.hash();
            expected++;
            checked++;
            if (checked % PROGRESS_EVERY == 0) {
              progress.onProgress(checked, total);
            }
          }
        }
      }
      long actualHead = expected - 1;
      for (Checkpoint cp : checkpoints) {
        if (cp.seq() > actualHead) {
          throw new Broken(
              actualHead + 1, Problem.TRUNCATED,
              "log ends at seq " + actualHead + " but a checkpoint signed at " + cp.time() + " covers seq " + cp.seq()
                  + ": newest entries deleted or an older copy restored");
        }
        if (anchor != null && cp.seq() == first - 1
            && !cp.headHash().equals(HexFormat.of().formatHex(anchor.lastDeletedHash()))) {
          throw new Broken(
              cp.seq(), Problem.CHECKPOINT_MISMATCH, "purged entry differs from the signed checkpoint");
        }
      }
      progress.onProgress(checked, total);
      return new VerificationResult(
          true, checked, first, actualHead, checkpoints.size(), OptionalLong.empty(), Optional.empty(), "ok");
    } catch (Broken b) {
      return new VerificationResult(
          false, checked, first, head, checkpoints.size(), OptionalLong.of(b.seq), Optional.of(b.problem),
          b.getMessage());
    }
  }

  private void checkMac(Row row) throws Broken {
    Mac mac = mac(row.keyId());
    if (mac == null) {
      throw new Broken(row.seq(), Problem.UNKNOWN_KEY, "entry uses key id " + row.keyId() + " which is not in the keyring");
    }
    byte[] computed = mac.doFinal(Canonical.encode(row));
    if (!MessageDigest.isEqual(computed, row.hash())) {
      throw new Broken(row.seq(), Problem.ENTRY_ALTERED, "MAC mismatch: entry edited or signed with another key");
    }
  }

  private void checkSingle(Connection c, long seq) throws SQLException, Broken {
    try (PreparedStatement ps = c.prepareStatement(SqliteStore.SELECT_ROW + " WHERE seq = ?")) {
      ps.setLong(1, seq);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new Broken(seq, Problem.SEQUENCE_GAP, "anchor entry vanished");
        }
        checkMac(readRow(rs));
      }
    }
  }

  private static Row readRow(ResultSet rs) throws SQLException, Broken {
    long seq = rs.getLong(1);
    try {
      return SqliteStore.readRow(rs);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new Broken(seq, Problem.MALFORMED_ENTRY, "entry cannot be decoded: " + e.getMessage());
    }
  }

  private static Anchor findAnchor(Connection c, long first) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT seq, metadata FROM audit_log WHERE event = ? AND seq >= ? ORDER BY seq")) {
      ps.setString(1, SqliteStore.PURGE_EVENT);
      ps.setLong(2, first);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          try {
            Map<String, Object> m = Json.parseObject(rs.getString(2));
            if (Long.valueOf(first - 1).equals(m.get("last_seq")) && m.get("last_deleted_hash") instanceof String h) {
              return new Anchor(rs.getLong(1), HexFormat.of().parseHex(h));
            }
          } catch (IllegalArgumentException | NullPointerException e) {
            // a malformed purge entry is not an anchor; the stream reports it as malformed or altered
          }
        }
      }
    }
    return null;
  }
}
