package dev.secureyeoman.auth.totp;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Builds {@code otpauth://totp/} URIs (Key URI Format) with RFC 3986 percent-encoding: every byte outside the unreserved
 * set is encoded, so a space becomes {@code %20} (never {@code +}). {@code ':'} is refused in the issuer and the account,
 * because it separates them in the label.
 */
public final class OtpAuthUri {
  private OtpAuthUri() {}

  /**
   * Builds the URI.
   *
   * @param issuer service name, 1–100 chars without ':'
   * @param account account name (user name or email), 1–128 chars without ':'
   * @param secret the shared secret
   * @param parameters algorithm, digits, period
   * @return {@code otpauth://totp/Issuer:account?secret=...&issuer=...&algorithm=...&digits=...&period=...}
   */
  public static String build(String issuer, String account, byte[] secret, TotpParameters parameters) {
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(parameters, "parameters");
    checkPart("issuer", issuer, 100);
    checkPart("account", account, 128);
    return "otpauth://totp/"
        + encode(issuer)
        + ":"
        + encode(account)
        + "?secret="
        + Base32.encode(secret)
        + "&issuer="
        + encode(issuer)
        + "&algorithm="
        + parameters.algorithm().name()
        + "&digits="
        + parameters.digits()
        + "&period="
        + parameters.periodSeconds();
  }

  private static void checkPart(String name, String value, int max) {
    Objects.requireNonNull(value, name);
    if (value.isEmpty() || value.length() > max) {
      throw new IllegalArgumentException(name + " must be 1-" + max + " chars, got length " + value.length());
    }
    if (value.indexOf(':') >= 0) {
      throw new IllegalArgumentException(name + " must not contain ':'");
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        throw new IllegalArgumentException(name + " must not contain control characters");
      }
    }
  }

  /**
   * RFC 3986 percent-encoding of UTF-8 bytes; only {@code ALPHA / DIGIT / "-" / "." / "_" / "~"} stay literal.
   *
   * @param s the text
   * @return the encoded text
   */
  public static String encode(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        sb.append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return sb.toString();
  }
}
