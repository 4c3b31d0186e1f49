package dev.secureyeoman.testkit.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PortsTest {
  @Test
  void next_roomBelowEphemeralRange_drawsThereAFreePort() {
    Ports.Allocator ports = Ports.drawingBelow(new Random(42), 32_768);
    for (int i = 0; i < 20; i++) {
      int port = ports.next();
      assertTrue(port >= Ports.LOWEST && port < 32_768, "port " + port);
    }
  }

  @Test
  void next_noRoomBelowEphemeralRange_fallsBackToKernelChoice() throws Exception {
    int port = Ports.drawingBelow(new Random(1), Ports.LOWEST + 10).next();
    assertTrue(port > 0);
    assertTrue(port >= Ports.ephemeralStart() || port < Ports.LOWEST, "a kernel-chosen ephemeral port: " + port);
  }

  @Test
  void isFree_boundPort_false_releasedPort_true() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      port = s.getLocalPort();
      assertFalse(Ports.isFree(port));
    }
    assertTrue(Ports.isFree(port));
  }

  @Test
  void ephemeralStart_readsTheKernelRange() {
    int start = Ports.ephemeralStart();
    assertTrue(start > 1024 && start < 65_536, "start " + start);
  }
}
