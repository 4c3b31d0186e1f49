package dev.secureyeoman.testkit.internal;

import dev.secureyeoman.testkit.TestkitException;
import dev.secureyeoman.testkit.TestkitException.Reason;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Random;

/**
 * Free loopback ports for servers that must bind them themselves.
 *
 * <p>A server started by the testkit binds its port in another process, so "bind port 0" cannot be used directly: a
 * port has to be chosen, then handed to the server, which can lose a race for it. And {@code restart()} must bind the
 * <em>same</em> port again (clients keep their URL). Ports from the kernel's ephemeral range (the range bind(0) and every
 * outgoing connection on the machine draw from) are likely to be taken by someone else's connection while a server is
 * down, so candidates are drawn at random <em>below</em> that range ({@value #LOWEST} up to the range's start), where
 * only explicit binds compete; each candidate is probed by binding it, and the caller retries with a new candidate
 * when the server still loses the race. If the range leaves no room below it, bind(0) is used instead.
 */
public final class Ports {
  /** The lowest port handed out: clear of the well-known and registered service ports used on development hosts. */
  public static final int LOWEST = 10_000;

  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  private static final int PROBES = 200;

  private final Random random;
  private final int ephemeralStart;

  /** A source of candidate ports. */
  @FunctionalInterface
  public interface Allocator {
    /**
     * A port that was free when probed.
     *
     * @return a port number
     */
    int next();
  }

  private Ports(Random random, int ephemeralStart) {
    this.random = random;
    this.ephemeralStart = ephemeralStart;
  }

  /**
   * The default allocator (see the class comment).
   *
   * @return an allocator
   */
  public static Allocator loopback() {
    return new Ports(new SecureRandom(), ephemeralStart())::next;
  }

  /**
   * An allocator drawing below {@code ephemeralStart}, for tests of the fallback.
   *
   * @param random the source of candidates
   * @param ephemeralStart the first port of the ephemeral range
   * @return an allocator
   */
  static Allocator drawingBelow(Random random, int ephemeralStart) {
    return new Ports(random, ephemeralStart)::next;
  }

  private int next() {
    int span = ephemeralStart - LOWEST;
    if (span >= 1000) {
      for (int i = 0; i < PROBES; i++) {
        int candidate = LOWEST + random.nextInt(span);
        if (isFree(candidate)) {
          return candidate;
        }
      }
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new TestkitException(Reason.PORT_UNAVAILABLE, "no free loopback port: " + e.getMessage(), e);
    }
  }

  /**
   * Whether {@code port} can be bound on 127.0.0.1 right now (without SO_REUSEADDR, so a listener on the wildcard
   * address or a connection in TIME_WAIT also count as taken).
   *
   * @param port a port number
   * @return true if it is free
   */
  public static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The first port of the kernel's ephemeral range (32768 if it cannot be read).
   *
   * @return a port number
   */
  static int ephemeralStart() {
    try {
      String[] range = Text.readProc(EPHEMERAL_RANGE).trim().split("\\s+");
      return Integer.parseInt(range[0]);
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
