package dev.secureyeoman.integrations.media;

import java.util.Objects;

/**
 * The verdict of a {@link ContentScanner}.
 *
 * @param verdict clean, infected or error
 * @param detail the signature name for {@link Verdict#INFECTED}, a short reason for {@link Verdict#ERROR}, empty for
 *     {@link Verdict#CLEAN}
 */
public record ScanResult(Verdict verdict, String detail) {

  /** Outcome of a scan. */
  public enum Verdict {
    /** Nothing found. */
    CLEAN,
    /** Malware found; {@link ScanResult#detail()} names the signature. */
    INFECTED,
    /** The scan could not be completed (scanner down, timeout, protocol error, size limit of the scanner). */
    ERROR
  }

  /**
   * Validates the fields.
   *
   * @param verdict clean, infected or error
   * @param detail detail text, at most 512 characters, never null
   */
  public ScanResult {
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(detail, "detail");
    if (detail.length() > 512) {
      detail = detail.substring(0, 512);
    }
  }

  /**
   * A clean result.
   *
   * @return {@code CLEAN}
   */
  public static ScanResult clean() {
    return new ScanResult(Verdict.CLEAN, "");
  }

  /**
   * An infected result.
   *
   * @param signature the signature name reported by the scanner
   * @return {@code INFECTED}
   */
  public static ScanResult infected(String signature) {
    return new ScanResult(Verdict.INFECTED, signature);
  }

  /**
   * A failed scan.
   *
   * @param why a short reason without secrets
   * @return {@code ERROR}
   */
  public static ScanResult error(String why) {
    return new ScanResult(Verdict.ERROR, why);
  }
}
