package dev.secureyeoman.auth.totp;

import java.util.List;

/**
 * Freshly generated recovery codes, shown to the user once (only HMACs are stored). Each is 120 random bits as 24 Base32
 * characters in groups of four ({@code ABCD-EFGH-...}). {@link #toString()} hides them.
 *
 * @param codes the codes, unmodifiable
 */
public record RecoveryCodes(List<String> codes) {

  /** Copies the list. */
  public RecoveryCodes {
    codes = List.copyOf(codes);
  }

  @Override
  public String toString() {
    return "RecoveryCodes[" + codes.size() + " codes, ██]";
  }
}
