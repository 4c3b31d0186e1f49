package dev.secureyeoman.core.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.core.config.ConfigException;
import dev.secureyeoman.core.config.EncryptedConfigLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key files at a long path (over ~250 characters) or whose name holds a newline: the path became the key source's
 * description, which must be 1-256 printable characters, so loading threw {@link IllegalArgumentException} ("description
 * must be ...") instead of returning the key — and escaped {@link EncryptedConfigLoader} as an unchecked exception.
 */
class KeySourcePathTest {
  @TempDir Path dir;

  private Path keyFile(Path file, String content) throws Exception {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content, StandardCharsets.US_ASCII);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  @Test
  void rawKeyFromFile_longPathOrNewlineInName_loadsTheKey_andMessagesStayOneBoundedLine() throws Exception {
    String b64 = Base64.getEncoder().encodeToString(new byte[32]);
    Path longPath = keyFile(dir.resolve("d".repeat(200)).resolve("e".repeat(60)).resolve("key"), b64);
    Path newline = keyFile(dir.resolve("k\nx"), b64);
    for (Path p : new Path[] {longPath, newline}) {
      try (RecipientKey k = KeySource.rawKeyFromFile(p).load()) {
        assertEquals(RecipientKey.Kind.RAW_KEY, k.kind());
      }
      String d = KeySource.rawKeyFromFile(p).description();
      assertTrue(d.length() <= 256 && d.chars().noneMatch(Character::isISOControl), d);
    }
    // a bad key at such a path: a typed error naming the (escaped) file, through the loader a ConfigException
    Path bad = keyFile(dir.resolve("d".repeat(200)).resolve("bad\nkey"), "not base64!");
    KeySourceException e = assertThrows(KeySourceException.class, () -> KeySource.rawKeyFromFile(bad).load());
    assertTrue(e.getMessage().contains("bad\\u000akey"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
    Path config = dir.resolve("app.enc.yaml");
    Files.writeString(config, "-----BEGIN SECUREYEOMAN ENVELOPE-----\n");
    EncryptedConfigLoader loader =
        EncryptedConfigLoader.builder().keySource(KeySource.rawKeyFromFile(bad)).build();
    assertThrows(ConfigException.class, () -> loader.load(config));
  }
}
