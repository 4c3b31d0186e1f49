package dev.secureyeoman.audit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * A signed statement "the log named {@code origin} had {@code seq} entries and its head MAC was {@code headHash} at
 * {@code time}", in a text form modelled on C2SP signed notes / checkpoints:
 *
 * <pre>
 * &lt;origin&gt;
 * &lt;seq&gt;
 * &lt;base64 head hash&gt;
 * time &lt;ISO-8601 instant&gt;
 * log-id &lt;32 lowercase hex&gt;          (when the log has an id)
 *
 * — &lt;origin&gt; &lt;base64(key hash[4] || Ed25519 signature)&gt;
 * </pre>
 *
 * The signature covers the body (every line before the blank line, each ending in a newline). Kept outside the
 * database, a checkpoint lets {@code verify} detect deletion of the newest entries and rollback to an older copy of the
 * database — which a hash chain alone cannot see — and, through the log id, a whole database of another log put in
 * place of this one.
 *
 * @param origin log name (no newline)
 * @param seq head sequence number (0 for an empty log)
 * @param headHash lowercase hex of the head entry's MAC (64 zeros for an empty log)
 * @param time when the checkpoint was signed
 * @param signature base64 of key hash (4 bytes) followed by the Ed25519 signature
 * @param logId the id of the log the checkpoint is about (32 lowercase hex), empty for logs without one
 */
public record Checkpoint(
    String origin, long seq, String headHash, Instant time, String signature, Optional<String> logId) {

  private static final String SIG_PREFIX = "\u2014 ";
  private static final String LOG_ID_PREFIX = "log-id ";

  /** Validates the fields. */
  public Checkpoint {
    Objects.requireNonNull(logId, "logId");
    logId.ifPresent(
        id -> {
          if (!id.matches("[0-9a-f]{32}")) {
            throw new IllegalArgumentException("logId must be 32 lowercase hex chars");
          }
        });
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(headHash, "headHash");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(signature, "signature");
    if (origin.isEmpty() || origin.length() > 200 || origin.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
      throw new IllegalArgumentException("origin must be 1-200 printable chars without spaces");
    }
    if (seq < 0) {
      throw new IllegalArgumentException("seq must be >= 0, got " + seq);
    }
    if (!headHash.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("headHash must be 64 lowercase hex chars");
    }
  }

  /**
   * A checkpoint without a log id.
   *
   * @param origin log name
   * @param seq head sequence number
   * @param headHash head MAC in lowercase hex
   * @param time signing time
   * @param signature base64 of key hash and signature
   */
  public Checkpoint(String origin, long seq, String headHash, Instant time, String signature) {
    this(origin, seq, headHash, time, signature, Optional.empty());
  }

  /**
   * Signs a new checkpoint without a log id.
   *
   * @param origin log name
   * @param seq head sequence number
   * @param headHash head MAC in lowercase hex
   * @param time signing time (truncated to milliseconds)
   * @param keyPair Ed25519 key pair
   * @return the signed checkpoint
   */
  public static Checkpoint sign(String origin, long seq, String headHash, Instant time, java.security.KeyPair keyPair) {
    return sign(origin, seq, headHash, time, Optional.empty(), keyPair);
  }

  /**
   * Signs a new checkpoint.
   *
   * @param origin log name
   * @param seq head sequence number
   * @param headHash head MAC in lowercase hex
   * @param time signing time (truncated to milliseconds)
   * @param logId the log's id, if it has one
   * @param keyPair Ed25519 key pair
   * @return the signed checkpoint
   */
  public static Checkpoint sign(
      String origin, long seq, String headHash, Instant time, Optional<String> logId, java.security.KeyPair keyPair) {
    Instant t = Instant.ofEpochMilli(time.toEpochMilli());
    Checkpoint unsigned = new Checkpoint(origin, seq, headHash, t, "", logId);
    try {
      Signature s = Signature.getInstance("Ed25519");
      PrivateKey priv = keyPair.getPrivate();
      s.initSign(priv);
      s.update(unsigned.body().getBytes(StandardCharsets.UTF_8));
      byte[] sig = s.sign();
      byte[] kh = keyHash(origin, keyPair.getPublic());
      byte[] all = new byte[4 + sig.length];
      System.arraycopy(kh, 0, all, 0, 4);
      System.arraycopy(sig, 0, all, 4, sig.length);
      return new Checkpoint(origin, seq, headHash, t, Base64.getEncoder().encodeToString(all), logId);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("keyPair must be an Ed25519 key pair", e);
    }
  }

  /**
   * Checks the signature under a trusted public key.
   *
   * @param key the trusted Ed25519 public key
   * @return whether the signature is valid and made by that key
   */
  public boolean verifySignature(PublicKey key) {
    try {
      byte[] all = Base64.getDecoder().decode(signature);
      if (all.length != 4 + 64) {
        return false;
      }
      byte[] kh = keyHash(origin, key);
      if (!MessageDigest.isEqual(Arrays.copyOf(all, 4), Arrays.copyOf(kh, 4))) {
        return false;
      }
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(key);
      s.update(body().getBytes(StandardCharsets.UTF_8));
      return s.verify(all, 4, 64);
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      return false;
    }
  }

  /**
   * The signed body (four or, with a log id, five newline-terminated lines).
   *
   * @return the body text
   */
  public String body() {
    String b64 = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(headHash));
    return origin + "\n" + seq + "\n" + b64 + "\ntime " + time + "\n"
        + logId.map(id -> LOG_ID_PREFIX + id + "\n").orElse("");
  }

  /**
   * The full note: body, blank line, signature line.
   *
   * @return the text, ending in a newline
   */
  public String toText() {
    return body() + "\n" + SIG_PREFIX + origin + " " + signature + "\n";
  }

  /**
   * Parses one note produced by {@link #toText()}. Does not check the signature.
   *
   * @param text the note
   * @return the checkpoint
   * @throws IllegalArgumentException if the text is malformed
   */
  public static Checkpoint parse(String text) {
    if (text == null || text.length() > 4096) {
      throw new IllegalArgumentException("checkpoint text missing or longer than 4096 chars");
    }
    String[] lines = text.split("\n", -1);
    int blank = lines.length > 4 && lines[4].isEmpty() ? 4 : 5;
    if (lines.length < blank + 2 || !lines[blank].isEmpty() || !lines[3].startsWith("time ")
        || (blank == 5 && !lines[4].startsWith(LOG_ID_PREFIX))) {
      throw new IllegalArgumentException(
          "malformed checkpoint: expected 4 body lines (and a log-id line), a blank line and a signature");
    }
    try {
      String origin = lines[0];
      long seq = Long.parseLong(lines[1]);
      String hash = HexFormat.of().formatHex(Base64.getDecoder().decode(lines[2]));
      Instant time = Instant.parse(lines[3].substring(5));
      Optional<String> logId =
          blank == 5 ? Optional.of(lines[4].substring(LOG_ID_PREFIX.length())) : Optional.empty();
      String sigLine = lines[blank + 1];
      String prefix = SIG_PREFIX + origin + " ";
      if (!sigLine.startsWith(prefix)) {
        throw new IllegalArgumentException("malformed checkpoint: signature line must name the origin");
      }
      Checkpoint cp = new Checkpoint(origin, seq, hash, time, sigLine.substring(prefix.length()), logId);
      if (!cp.body().equals(text.substring(0, cp.body().length()))) {
        throw new IllegalArgumentException("malformed checkpoint: body is not in canonical form");
      }
      return cp;
    } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
      throw new IllegalArgumentException("malformed checkpoint: " + e.getMessage(), e);
    }
  }

  private static byte[] keyHash(String origin, PublicKey key) throws GeneralSecurityException {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(origin.getBytes(StandardCharsets.UTF_8));
    md.update((byte) '\n');
    md.update((byte) 0x01);
    md.update(CheckpointKeys.rawPublicKey(key));
    return md.digest();
  }
}
