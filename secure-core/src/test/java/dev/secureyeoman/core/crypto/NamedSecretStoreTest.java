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
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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

  /** Two recipients and the store's associated data, for the tests below. */
  private final RecipientKey a = EnvelopeCipherTest.rawKey(1);
  private final RecipientKey b = EnvelopeCipherTest.rawKey(2);
  private final byte[] aad = NamedSecretStore.ASSOCIATED_DATA.getBytes(StandardCharsets.US_ASCII);

  /** Rekeys {@code file} in a separate JVM, as another process of the host (or the CLI) would. */
  static void rekeyInChildProcess(Path file, int currentSeed, int keepSeed) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), RekeyChild.class.getName(),
        file.toString(), Integer.toString(currentSeed), Integer.toString(keepSeed)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
    assertEquals(0, p.exitValue(), out);
  }

  @Test
  void put_afterAnotherProcessRemovedARecipient_usesTheNewDataKeyAndKeepsBOut() throws Exception {
    Path file = dir.resolve("shared.enc");
    EnvelopeCipher cipher = EnvelopeCipher.create();
    try (NamedSecretStore store = NamedSecretStore.open(file, a)) {
      store.put("one", text("1"));
      Files.write(file, cipher.rekey(Files.readAllBytes(file), aad, a, List.of(a, b))); // b joins
      store.put("two", text("2"));
      byte[] bCopy = Files.readAllBytes(file); // b keeps a copy: it knows the data key in use now
      byte[] bKnows = cipher.open(bCopy, aad, b).dataKey;
      rekeyInChildProcess(file, 1, 1); // another process removes b
      store.put("three", text("3")); // this store must not re-seal for b, nor under the key b knows
      byte[] now = Files.readAllBytes(file);
      assertEquals(Reason.WRONG_KEY, assertThrows(EnvelopeException.class, () -> cipher.open(now, aad, b)).reason());
      assertFalse(Arrays.equals(bKnows, cipher.open(now, aad, a).dataKey), "b's old data key must not be in use");
      assertEquals(Set.of("one", "two", "three"), store.list());
    }
    try (NamedSecretStore store = NamedSecretStore.open(file, a)) {
      assertEquals(Set.of("one", "two", "three"), store.list(), "the write applied to the rekeyed file's content");
    }
  }

  @Test
  void put_afterAnotherProcessRemovedThisStoresKey_failsAndWritesNothing() throws Exception {
    Path file = dir.resolve("gone.enc");
    try (NamedSecretStore store = NamedSecretStore.open(file, a)) {
      store.put("one", text("1"));
      Files.write(file, EnvelopeCipher.create().rekey(Files.readAllBytes(file), aad, a, List.of(a, b)));
      rekeyInChildProcess(file, 2, 2); // b removes a
      byte[] before = Files.readAllBytes(file);
      java.io.IOException e = assertThrows(java.io.IOException.class, () -> store.put("two", text("2")));
      assertTrue(e.getMessage().contains("no longer opens it"), e.getMessage());
      assertArrayEquals(before, Files.readAllBytes(file));
    }
  }

  @Test
  void rekey_drawsANewDataKeyAndCutsOffRemovedRecipients() throws Exception {
    Path file = dir.resolve("rk.enc");
    EnvelopeCipher cipher = EnvelopeCipher.create();
    try (NamedSecretStore store = NamedSecretStore.open(file, a)) {
      store.put("one", text("1"));
      store.rekey(List.of(a, b));
      byte[] bKnows = cipher.open(Files.readAllBytes(file), aad, b).dataKey;
      store.rekey(List.of(a));
      store.put("two", text("2"));
      byte[] now = Files.readAllBytes(file);
      assertEquals(Reason.WRONG_KEY, assertThrows(EnvelopeException.class, () -> cipher.open(now, aad, b)).reason());
      assertFalse(Arrays.equals(bKnows, cipher.open(now, aad, a).dataKey));
      assertThrows(IllegalArgumentException.class, () -> store.rekey(List.of(b)));
    }
    try (NamedSecretStore store = NamedSecretStore.open(file, a)) {
      assertEquals(Set.of("one", "two"), store.list());
    }
  }

  @Test
  void put_directoryMissing_noSuchFileNamingTheDirectory_thenWorksOnceItExists() throws Exception {
    Path missing = dir.resolve("not-yet");
    Path file = missing.resolve("secrets.enc");
    try (NamedSecretStore store = NamedSecretStore.open(file, EnvelopeCipherTest.rawKey(1))) {
      assertTrue(store.list().isEmpty(), "a missing file (and directory) opens as an empty store");
      java.nio.file.NoSuchFileException e =
          assertThrows(java.nio.file.NoSuchFileException.class, () -> store.put("one", text("1")));
      assertEquals(missing.toAbsolutePath().toString(), e.getFile(), e.getMessage());
      assertFalse(e.getMessage().contains(".tmp"), "not the random temporary file: " + e.getMessage());
      assertTrue(store.list().isEmpty(), "the in-memory state is unchanged");
      assertFalse(Files.exists(missing), "nothing created");
      Files.createDirectory(missing);
      store.put("one", text("1"));
    }
    try (NamedSecretStore store = NamedSecretStore.open(file, EnvelopeCipherTest.rawKey(1))) {
      assertEquals(Set.of("one"), store.list());
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
