package dev.secureyeoman.core;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * An immutable-by-contract holder for secret bytes (keys, tokens, plaintext secrets).
 *
 * <ul>
 *   <li>{@link #toString()} never shows the content; {@link #equals(Object)} is identity so secrets never end up compared
 *       in variable time by collections. Use {@link #constantTimeEquals(SecretBytes)} to compare content.
 *   <li>Bytes are copied in and out; the caller keeps ownership of the arrays it passes and receives.
 *   <li>{@link #close()} wipes the internal copy; any later access throws {@link IllegalStateException}.
 * </ul>
 */
public final class SecretBytes implements AutoCloseable {
  private final byte[] bytes;
  private volatile boolean destroyed;

  private SecretBytes(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Copies {@code bytes} into a new holder.
   *
   * @param bytes the secret; the caller may wipe its own array afterwards
   * @return a holder owning a private copy
   */
  public static SecretBytes copyOf(byte[] bytes) {
    if (bytes == null) {
      throw new IllegalArgumentException("bytes must not be null");
    }
    return new SecretBytes(bytes.clone());
  }

  /**
   * Takes ownership of {@code bytes} without copying and wipes nothing of the caller's; use when the array was created
   * only for this holder (for example fresh output of a KDF).
   *
   * @param bytes the secret, which must not be used by the caller afterwards
   * @return a holder owning {@code bytes}
   */
  public static SecretBytes adopt(byte[] bytes) {
    if (bytes == null) {
      throw new IllegalArgumentException("bytes must not be null");
    }
    return new SecretBytes(bytes);
  }

  /**
   * Returns the length in bytes (not secret).
   *
   * @return the number of bytes held
   */
  public int length() {
    return bytes.length;
  }

  /**
   * Returns a copy of the secret. The caller should wipe it ({@link Arrays#fill(byte[], byte)}) when done.
   *
   * @return a fresh copy of the secret bytes
   * @throws IllegalStateException if this holder was closed
   */
  public byte[] toByteArray() {
    checkLive();
    return bytes.clone();
  }

  /**
   * Compares content in time that depends only on the lengths.
   *
   * @param other another holder
   * @return whether both hold the same bytes
   */
  public boolean constantTimeEquals(SecretBytes other) {
    checkLive();
    other.checkLive();
    return MessageDigest.isEqual(bytes, other.bytes);
  }

  /**
   * Returns whether {@link #close()} was called.
   *
   * @return true once wiped
   */
  public boolean isDestroyed() {
    return destroyed;
  }

  /** Wipes the secret. Idempotent. */
  @Override
  public void close() {
    Arrays.fill(bytes, (byte) 0);
    destroyed = true;
  }

  private void checkLive() {
    if (destroyed) {
      throw new IllegalStateException("secret was already wiped");
    }
  }

  @Override
  public String toString() {
    return "SecretBytes[" + bytes.length + " bytes, ██]";
  }
}
