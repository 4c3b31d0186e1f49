package dev.secureyeoman.core.crypto;

import dev.secureyeoman.core.crypto.EnvelopeException.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Binary layout of envelope format version 1 (big-endian; see docs/config.md for the specification). Parsing checks
 * every length and cost against {@link EnvelopeLimits} before allocating anything derived from it.
 */
final class EnvelopeCodec {
  static final byte[] MAGIC = {'S', 'Y', 'E', 'V'};
  static final int VERSION = 1;
  static final int NONCE_BYTES = 12;
  static final int TAG_BYTES = 16;
  static final int DATA_KEY_BYTES = 32;
  static final int WRAPPED_KEY_BYTES = DATA_KEY_BYTES + TAG_BYTES;
  static final int SALT_BYTES = 16;
  static final int MIN_SALT_BYTES = 16;
  static final int MAX_SALT_BYTES = 64;
  static final int MAX_KEY_ID_BYTES = 64;

  private EnvelopeCodec() {}

  /**
   * One recipient entry. {@code salt} is null and costs are 0 for raw keys; {@code wrappedKey} is null only in the
   * descriptor built before the data key is wrapped.
   */
  record Recipient(
      RecipientKey.Kind kind,
      String keyId,
      int memoryKiB,
      int iterations,
      int parallelism,
      byte @Nullable [] salt,
      byte[] wrapNonce,
      byte @Nullable [] wrappedKey) {

    /** Bytes from the kind through the salt: bound into the key-wrap as associated data. */
    byte[] descriptor() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      writeDescriptor(out);
      return out.toByteArray();
    }

    void writeDescriptor(ByteArrayOutputStream out) {
      out.write(kind.code);
      byte[] id = keyId.getBytes(StandardCharsets.US_ASCII);
      out.write(id.length);
      out.writeBytes(id);
      if (kind == RecipientKey.Kind.PASSPHRASE_ARGON2ID) {
        writeInt(out, memoryKiB);
        writeInt(out, iterations);
        out.write(parallelism);
        byte[] s = Objects.requireNonNull(salt, "a passphrase recipient has a salt");
        out.write(s.length);
        out.writeBytes(s);
      }
    }
  }

  /** A parsed envelope: recipients, body nonce, the exact header bytes and where the payload lies. */
  record Parsed(List<Recipient> recipients, byte[] nonce, byte[] header, int payloadOffset, int payloadLength) {}

  static byte[] encodeHeader(List<Recipient> recipients, byte[] nonce, int payloadLength) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 96 * recipients.size());
    out.writeBytes(MAGIC);
    out.write(VERSION);
    out.write(0); // flags, reserved
    out.write(recipients.size());
    for (Recipient r : recipients) {
      r.writeDescriptor(out);
      out.writeBytes(r.wrapNonce());
      out.writeBytes(Objects.requireNonNull(r.wrappedKey(), "only wrapped recipients are encoded"));
    }
    out.writeBytes(nonce);
    writeInt(out, payloadLength);
    return out.toByteArray();
  }

  static byte[] wrapAad(Recipient r) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(MAGIC);
    out.write(VERSION);
    r.writeDescriptor(out);
    return out.toByteArray();
  }

  static Parsed parse(byte[] envelope, EnvelopeLimits limits) throws EnvelopeException {
    if (envelope.length > limits.maxEnvelopeBytes()) {
      throw new EnvelopeException(Reason.TOO_LARGE, "more than " + limits.maxEnvelopeBytes() + " bytes");
    }
    Reader in = new Reader(envelope);
    if (envelope.length < MAGIC.length) {
      boolean prefix = Arrays.equals(envelope, 0, envelope.length, MAGIC, 0, envelope.length);
      throw new EnvelopeException(prefix ? Reason.TRUNCATED : Reason.MALFORMED);
    }
    if (!Arrays.equals(in.bytes(MAGIC.length), MAGIC)) {
      throw new EnvelopeException(Reason.MALFORMED, "bad magic");
    }
    int version = in.u8();
    if (version != VERSION) {
      throw new EnvelopeException(Reason.UNSUPPORTED_VERSION, "version " + version + ", this library reads 1");
    }
    if (in.u8() != 0) {
      throw new EnvelopeException(Reason.MALFORMED, "reserved flags set");
    }
    int count = in.u8();
    if (count == 0) {
      throw new EnvelopeException(Reason.MALFORMED, "no recipients");
    }
    if (count > limits.maxRecipients()) {
      throw new EnvelopeException(Reason.TOO_LARGE, count + " recipients, at most " + limits.maxRecipients());
    }
    List<Recipient> recipients = new ArrayList<>(count);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < count; i++) {
      Recipient r = readRecipient(in, limits);
      if (!seen.add(r.kind() + "/" + r.keyId())) {
        throw new EnvelopeException(Reason.MALFORMED, "duplicate recipient");
      }
      recipients.add(r);
    }
    byte[] nonce = in.bytes(NONCE_BYTES);
    long payloadLength = in.u32();
    if (payloadLength < TAG_BYTES) {
      throw new EnvelopeException(Reason.MALFORMED, "payload shorter than the tag");
    }
    if (payloadLength > limits.maxEnvelopeBytes()) {
      throw new EnvelopeException(Reason.TOO_LARGE, "declared payload exceeds " + limits.maxEnvelopeBytes() + " bytes");
    }
    int headerLength = in.position();
    long remaining = (long) envelope.length - headerLength;
    if (remaining < payloadLength) {
      throw new EnvelopeException(Reason.TRUNCATED);
    }
    if (remaining > payloadLength) {
      throw new EnvelopeException(Reason.MALFORMED, "trailing data after payload");
    }
    byte[] header = Arrays.copyOf(envelope, headerLength);
    return new Parsed(List.copyOf(recipients), nonce, header, headerLength, (int) payloadLength);
  }

  private static Recipient readRecipient(Reader in, EnvelopeLimits limits) throws EnvelopeException {
    int kindCode = in.u8();
    RecipientKey.Kind kind;
    if (kindCode == RecipientKey.Kind.RAW_KEY.code) {
      kind = RecipientKey.Kind.RAW_KEY;
    } else if (kindCode == RecipientKey.Kind.PASSPHRASE_ARGON2ID.code) {
      kind = RecipientKey.Kind.PASSPHRASE_ARGON2ID;
    } else {
      throw new EnvelopeException(Reason.MALFORMED, "unknown recipient kind");
    }
    int idLength = in.u8();
    if (idLength == 0 || idLength > MAX_KEY_ID_BYTES) {
      throw new EnvelopeException(Reason.MALFORMED, "bad key id length");
    }
    String keyId = new String(in.bytes(idLength), StandardCharsets.US_ASCII);
    if (!RecipientKey.isValidKeyId(keyId)) {
      throw new EnvelopeException(Reason.MALFORMED, "bad key id");
    }
    int memory = 0;
    int iterations = 0;
    int parallelism = 0;
    byte[] salt = null;
    if (kind == RecipientKey.Kind.PASSPHRASE_ARGON2ID) {
      long m = in.u32();
      long t = in.u32();
      int p = in.u8();
      // bound the attacker-chosen cost before anything is allocated or derived
      if (m > limits.maxArgon2MemoryKiB() || t > limits.maxArgon2Iterations() || p > limits.maxArgon2Parallelism()) {
        throw new EnvelopeException(
            Reason.KDF_COST_TOO_HIGH,
            "m=" + m + " KiB, t=" + t + ", p=" + p + " exceeds m<=" + limits.maxArgon2MemoryKiB() + ", t<="
                + limits.maxArgon2Iterations() + ", p<=" + limits.maxArgon2Parallelism());
      }
      if (m < Argon2idParameters.MIN_MEMORY_KIB || t < Argon2idParameters.MIN_ITERATIONS || p < 1 || m < 8L * p) {
        throw new EnvelopeException(Reason.MALFORMED, "key-derivation cost below the minimum");
      }
      memory = (int) m;
      iterations = (int) t;
      parallelism = p;
      int saltLength = in.u8();
      if (saltLength < MIN_SALT_BYTES || saltLength > MAX_SALT_BYTES) {
        throw new EnvelopeException(Reason.MALFORMED, "bad salt length");
      }
      salt = in.bytes(saltLength);
    }
    byte[] wrapNonce = in.bytes(NONCE_BYTES);
    byte[] wrapped = in.bytes(WRAPPED_KEY_BYTES);
    return new Recipient(kind, keyId, memory, iterations, parallelism, salt, wrapNonce, wrapped);
  }

  static void writeInt(ByteArrayOutputStream out, int v) {
    out.write(v >>> 24);
    out.write(v >>> 16);
    out.write(v >>> 8);
    out.write(v);
  }

  /** Bounds-checked reader: running past the end is {@link Reason#TRUNCATED}. */
  private static final class Reader {
    private final byte[] data;
    private int pos;

    Reader(byte[] data) {
      this.data = data;
    }

    int position() {
      return pos;
    }

    private void need(int n) throws EnvelopeException {
      if (data.length - pos < n) {
        throw new EnvelopeException(Reason.TRUNCATED);
      }
    }

    int u8() throws EnvelopeException {
      need(1);
      return data[pos++] & 0xff;
    }

    long u32() throws EnvelopeException {
      need(4);
      long v = ((data[pos] & 0xffL) << 24) | ((data[pos + 1] & 0xffL) << 16) | ((data[pos + 2] & 0xffL) << 8)
          | (data[pos + 3] & 0xffL);
      pos += 4;
      return v;
    }

    byte[] bytes(int n) throws EnvelopeException {
      need(n);
      byte[] out = Arrays.copyOfRange(data, pos, pos + n);
      pos += n;
      return out;
    }
  }
}
