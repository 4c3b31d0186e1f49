package dev.secureyeoman.core.crypto;

import dev.secureyeoman.core.AtomicFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Child process for {@link NamedSecretStoreTest}: another process rekeys a named-secret file, keeping only the key
 * with the given seed as recipient.
 */
public final class RekeyChild {
  private RekeyChild() {}

  /**
   * Entry point.
   *
   * @param args the store file, the seed of the key that opens it, the seed of the only recipient to keep
   * @throws Exception on failure (non-zero exit)
   */
  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    RecipientKey current = EnvelopeCipherTest.rawKey(Integer.parseInt(args[1]));
    RecipientKey keep = EnvelopeCipherTest.rawKey(Integer.parseInt(args[2]));
    byte[] aad = NamedSecretStore.ASSOCIATED_DATA.getBytes(StandardCharsets.US_ASCII);
    byte[] next = EnvelopeCipher.create().rekey(Files.readAllBytes(file), aad, current, List.of(keep));
    AtomicFiles.write(file, next);
    System.out.println("REKEYED");
  }
}
