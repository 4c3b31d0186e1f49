package dev.secureyeoman.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SandboxBackendTest {

  @Test
  void fromConfig_acceptsDocumentedValues() {
    assertNull(SandboxBackend.fromConfig("auto"));
    assertEquals(SandboxBackend.BWRAP, SandboxBackend.fromConfig(" BWRAP "));
    assertEquals(SandboxBackend.UNSHARE_LANDLOCK, SandboxBackend.fromConfig("unshare"));
    assertEquals(SandboxBackend.NONE, SandboxBackend.fromConfig("none"));
  }

  @Test
  void fromConfig_rejectsUnknownNamingAllowedValues() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SandboxBackend.fromConfig("docker"));
    assertTrue(e.getMessage().contains("security.sandbox.backend"));
    assertThrows(IllegalArgumentException.class, () -> SandboxBackend.fromConfig(null));
  }
}
