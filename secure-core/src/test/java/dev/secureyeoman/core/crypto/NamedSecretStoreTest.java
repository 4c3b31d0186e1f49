package dev.secureyeoman.core.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.core.SecretBytes;
import dev.secureyeoman.core.crypto.EnvelopeException.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NamedSecretStoreTest {
  @TempDir Path dir;

  static SecretBytes text(String s) {
    return SecretBytes.copyOf(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void putGetDeleteList_persistAcrossReopen() throws Exception {
    Path file = dir.resolve("secrets.enc");
    RecipientKey key = EnvelopeCipherTest.rawKey(1);
    try (NamedSecretStore store = NamedSecretStore.open(file, key)) {
      assertTrue(store.list().isEmpty());
      assertFalse(Files.exists(file), "nothing written before the first put");
      store.put("telegram/token", text("123:ABC-telegram-bot-token"));
      store.put("slack.signing", text("slack-signing-secret"));
      store.put("slack.signing", text("slack-signing-secret-v2"));
    }
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    String raw = Files.readString(file, StandardCharsets.ISO_8859_1);
    assertFalse(raw.contains("telegram-bot-token"));
    assertFalse(raw.contains("telegram/token"), "names are encrypted too");
    try (NamedSecretStore store = NamedSecretStore.open(file, key)) {
      assertEquals(Set.of("slack.signing", "telegram/token"), store.list());
      try (SecretBytes v = store.get("slack.signing").orElseThrow()) {
        assertArrayEquals("slack-signing-secret-v2".getBytes(StandardCharsets.UTF_8), v.toByteArray());
      }
      assertTrue(store.delete("telegram/token"));
      assertFalse(store.delete("telegram/token"));
      assertTrue(store.get("telegram/token").isEmpty());
    }
    try (NamedSecretStore store = NamedSecretStore.open(file, key)) {
      assertEquals(Set.of("slack.signing"), store.list());
    }
  }

  @Test
  void open_wrongKey_wrongKeyAndTamperedFile_detected() throws Exception {
    Path file = dir.resolve("secrets.enc");
    try (NamedSecretStore store = NamedSecretStore.open(file, EnvelopeCipherTest.rawKey(1))) {
      store.put("a", text("x"));
    }
    assertEquals(Reason.WRONG_KEY, assertThrows(EnvelopeException.class,
        () -> NamedSecretStore.open(file, EnvelopeCipherTest.rawKey(2))).reason());
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 1] ^= 1;
    Files.write(file, bytes);
    assertEquals(Reason.TAMPERED, assertThrows(EnvelopeException.class,
        () -> NamedSecretStore.open(file, EnvelopeCipherTest.rawKey(1))).reason());
  }

  @Test
  void put_byOneRecipient_otherRecipientKeepsAccess() throws Exception {
    Path file = dir.resolve("shared.enc");
    RecipientKey a = EnvelopeCipherTest.rawKey(1);
    RecipientKey b = EnvelopeCipherTest.rawKey(2);
    try (NamedSecretStore store = NamedSecretStore.open(file, a)) {
      store.put("one", text("1"));
    }
    EnvelopeCipher cipher = EnvelopeCipher.create();
    byte[] aad = NamedSecretStore.ASSOCIATED_DATA.getBytes(StandardCharsets.US_ASCII);
    Files.write(file, cipher.rekey(Files.readAllBytes(file), aad, a, List.of(a, b)));
    try (NamedSecretStore store = NamedSecretStore.open(file, b)) {
      store.put("two", text("2"));
    }
    try (NamedSecretStore store = NamedSecretStore.open(file, a)) {
      assertEquals(Set.of("one", "two"), store.list());
    }
  }

  @Test
  void misuse_rejected() throws Exception {
    NamedSecretStore store = NamedSecretStore.open(dir.resolve("s"), EnvelopeCipherTest.rawKey(1));
    assertThrows(IllegalArgumentException.class, () -> store.put("bad name", text("x")));
    assertThrows(IllegalArgumentException.class, () -> store.get(""));
    assertThrows(IllegalArgumentException.class, () -> store.put("n", null));
    assertThrows(IllegalArgumentException.class, () -> store.put("n", SecretBytes.copyOf(new byte[70_000])));
    store.close();
    store.close();
    assertThrows(IllegalStateException.class, store::list);
    assertThrows(IllegalArgumentException.class, () -> NamedSecretStore.open(null, EnvelopeCipherTest.rawKey(1)));
  }
}
