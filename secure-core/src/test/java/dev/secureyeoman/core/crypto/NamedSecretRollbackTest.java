package dev.secureyeoman.core.crypto;

import static dev.secureyeoman.core.crypto.NamedSecretStoreTest.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A removed recipient {@code b} with write access to the store file puts back the copy it kept from before the rekey.
 * The store re-read it as "a change by another writer" and adopted its recipients (b included) and data key (known to
 * b): every later secret was readable by b, and values rotated since were silently reverted.
 */
class NamedSecretRollbackTest {
  @TempDir Path dir;

  private final RecipientKey a = EnvelopeCipherTest.rawKey(1);
  private final RecipientKey b = EnvelopeCipherTest.rawKey(2);
  private final byte[] aad = NamedSecretStore.ASSOCIATED_DATA.getBytes(StandardCharsets.US_ASCII);
  private final EnvelopeCipher cipher = EnvelopeCipher.create();

  private void assertBCannotSee(byte[] file, String name) {
    try {
      byte[] plain = cipher.decrypt(file, aad, b);
      assertFalse(new String(plain, StandardCharsets.ISO_8859_1).contains(name), "b reads " + name);
    } catch (EnvelopeException e) {
      assertEquals(EnvelopeException.Reason.WRONG_KEY, e.reason());
    }
  }

  @Test
  void put_afterTheFileWasRolledBackToBeforeThisStoresRekey_refusesAndWritesNothing() throws Exception {
    Path file = dir.resolve("secrets.enc");
    try (NamedSecretStore store = NamedSecretStore.open(file, a)) {
      store.put("token", text("old-token"));
      store.rekey(List.of(a, b));
      byte[] bKeeps = Files.readAllBytes(file); // b is a recipient now and keeps a copy
      store.rekey(List.of(a)); // b removed: fresh data key
      store.put("token", text("rotated-token"));
      Files.write(file, bKeeps); // b, with write access to the file, puts its copy back
      IOException e = assertThrows(IOException.class, () -> store.put("new-api-key", text("for-a-only")));
      assertTrue(e.getMessage().contains("rolled back"), e.getMessage());
      assertArrayEquals(bKeeps, Files.readAllBytes(file), "nothing was written");
      assertBCannotSee(Files.readAllBytes(file), "new-api-key");
      assertThrows(IOException.class, () -> store.delete("token"));
      assertEquals(Set.of("token"), store.list());
      assertEquals("rotated-token", new String(store.get("token").orElseThrow().toByteArray(), StandardCharsets.UTF_8),
          "the rotated value is not reverted to the attacker's copy");
    }
  }

  @Test
  void put_afterAnotherProcessRekeyedAndTheFileWasRolledBack_refuses() throws Exception {
    Path file = dir.resolve("shared.enc");
    try (NamedSecretStore store = NamedSecretStore.open(file, a)) {
      store.put("one", text("1"));
      Files.write(file, cipher.rekey(Files.readAllBytes(file), aad, a, List.of(a, b))); // b joins
      store.put("two", text("2"));
      byte[] bKeeps = Files.readAllBytes(file);
      NamedSecretStoreTest.rekeyInChildProcess(file, 1, 1); // another process removes b
      store.put("three", text("3")); // adopts the rekeyed file (the legitimate path still works)
      Files.write(file, bKeeps);
      assertThrows(IOException.class, () -> store.put("four", text("4")));
      assertBCannotSee(Files.readAllBytes(file), "four");
    }
  }

  @Test
  void put_afterAnotherWriterAddedASecretUnderTheSameDataKey_isStillAdopted() throws Exception {
    Path file = dir.resolve("two-writers.enc");
    try (NamedSecretStore first = NamedSecretStore.open(file, a)) {
      first.put("one", text("1"));
      try (NamedSecretStore second = NamedSecretStore.open(file, a)) {
        second.put("two", text("2"));
      }
      first.put("three", text("3"));
      assertEquals(Set.of("one", "two", "three"), first.list());
    }
  }
}
