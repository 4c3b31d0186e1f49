package dev.secureyeoman.integrations.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.secureyeoman.integrations.plugin.PluginException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustFileTest {
  private static final String A = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  private static final String B = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";

  @TempDir Path dir;

  @Test
  void read_validFile_hashesMapToIds() throws Exception {
    Path f = Files.writeString(dir.resolve("plugins.trust"), "# trust\n\necho " + A + "\necho\t" + B.toUpperCase()
        + "\n  other " + "0".repeat(64) + "  \n");
    TrustFile t = TrustFile.read(f);
    assertEquals(Optional.of("echo"), t.idFor(A));
    assertEquals(Optional.of("echo"), t.idFor(B));
    assertEquals(Optional.empty(), t.idFor("1".repeat(64)));
    assertEquals(Set.of("echo", "other"), t.ids());
    assertEquals("echo " + A, TrustFile.line("echo", A.toUpperCase()));
    assertEquals("TrustFile[3 hashes for 2 plugins]", t.toString());
  }

  @Test
  void parse_badLines_typedErrorWithLineNumber() {
    assertEquals("trust-file-invalid: line 2: expected '<plugin-id> <sha256>'",
        assertThrows(PluginException.class, () -> TrustFile.parse("echo " + A + "\necho\n", "t")).shortReason());
    assertEquals("trust-file-invalid: line 1: sha256 must be 64 hex digits",
        assertThrows(PluginException.class, () -> TrustFile.parse("echo abc\n", "t")).shortReason());
    assertEquals("trust-file-invalid: line 1: invalid plugin id",
        assertThrows(PluginException.class, () -> TrustFile.parse("Echo " + A + "\n", "t")).shortReason());
    assertEquals("trust-file-invalid: line 2: sha256 already listed for plugin 'a'",
        assertThrows(PluginException.class, () -> TrustFile.parse("a " + A + "\nb " + A + "\n", "t")).shortReason());
  }

  @Test
  void read_missingSymlinkOrOversizedFile_refused() throws Exception {
    assertEquals(Reason.TRUST_FILE_INVALID,
        assertThrows(PluginException.class, () -> TrustFile.read(dir.resolve("absent"))).reason());
    Path real = Files.writeString(dir.resolve("real"), "echo " + A + "\n");
    Path link = Files.createSymbolicLink(dir.resolve("link"), real);
    assertEquals(Reason.TRUST_FILE_INVALID, assertThrows(PluginException.class, () -> TrustFile.read(link)).reason());
    Path big = Files.write(dir.resolve("big"), new byte[TrustFile.MAX_BYTES + 1]);
    assertEquals("trust-file-invalid: larger than 1048576 bytes",
        assertThrows(PluginException.class, () -> TrustFile.read(big)).shortReason());
    Path binary = Files.write(dir.resolve("bin"), new byte[] {(byte) 0xFF, (byte) 0xFE});
    assertEquals("trust-file-invalid: not valid UTF-8",
        assertThrows(PluginException.class, () -> TrustFile.read(binary)).shortReason());
  }
}
