package dev.secureyeoman.integrations.media.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.secureyeoman.integrations.media.HostResolver;
import dev.secureyeoman.integrations.media.MediaPolicy;
import dev.secureyeoman.integrations.media.MediaRejectedException;
import dev.secureyeoman.integrations.media.MediaRejectedException.Reason;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The SSRF checks without any network: literal forms never reach the resolver, and nothing connects. */
class DestinationGuardTest {
  private final AtomicInteger resolutions = new AtomicInteger();
  private final HostResolver publicResolver =
      host -> {
        resolutions.incrementAndGet();
        return List.of(InetAddress.getByAddress(host, new byte[] {(byte) 149, (byte) 154, (byte) 167, (byte) 220}));
      };

  /** Every private form is refused even though the allowlist names it. */
  private final MediaPolicy permissive =
      MediaPolicy.builder()
          .allowHosts("telegram", "api.telegram.org", "127.0.0.1", "10.0.0.1", "169.254.169.254", "*.corp.example")
          .build();

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://127.0.0.1/",
        "https://127.0.0.2:8443/",
        "https://10.0.0.1/",
        "https://10.255.255.255/",
        "https://172.16.0.1/",
        "https://172.31.255.254/",
        "https://192.168.0.1/",
        "https://100.64.0.1/",
        "https://169.254.169.254/latest/meta-data/",
        "https://0.0.0.0/",
        "https://255.255.255.255/",
        "https://224.0.0.1/",
        "https://[::1]/",
        "https://[::]/",
        "https://[::ffff:127.0.0.1]/",
        "https://[::ffff:7f00:1]/",
        "https://[::ffff:169.254.169.254]/",
        "https://[::ffff:8.8.8.8]/", // mapped literals are refused whatever they embed
        "https://[::127.0.0.1]/",
        "https://[fd00::1]/",
        "https://[fc00::1]/",
        "https://[fe80::1]/",
        "https://[fec0::1]/",
        "https://[ff02::1]/",
        "https://[64:ff9b::a00:1]/", // NAT64 of 10.0.0.1
        "https://[2002:7f00:1::]/", // 6to4 of 127.0.0.1
        "https://2130706433/", // decimal 127.0.0.1
        "https://017700000001/", // octal
        "https://0x7f000001/", // hex
        "https://0x7f.0.0.1/",
        "https://0177.0.0.1/",
        "https://0177.0.0.01/",
        "https://127.1/",
        "https://127.0.1/",
        "https://0xa.0.0.1/", // 10.0.0.1
        "https://167772161/", // 10.0.0.1
        "https://0251.0376.0251.0376/", // 169.254.169.254 octal
        "https://0xa9fea9fe/", // 169.254.169.254 hex
        "https://2852039166/", // 169.254.169.254 decimal
        "https://127.0.0.1./",
      })
  void check_privateForms_refusedWithoutDns(String url) {
    DestinationGuard guard = new DestinationGuard(permissive, publicResolver);
    MediaRejectedException e =
        assertThrows(MediaRejectedException.class, () -> guard.check("telegram", URI.create(url)));
    assertEquals(Reason.PRIVATE_ADDRESS, e.reason(), url + " -> " + e.getMessage());
    assertEquals(0, resolutions.get());
  }

  @Test
  void check_publicAllowedHost_resolvedOnceAndPinned() throws Exception {
    DestinationGuard guard = new DestinationGuard(permissive, publicResolver);
    DestinationGuard.Destination d =
        guard.check("telegram", URI.create("https://API.Telegram.org./file/bot1:x/a.jpg?x=1#frag"));
    assertEquals("api.telegram.org", d.host());
    assertEquals(443, d.port());
    assertEquals("/file/bot1:x/a.jpg?x=1", d.pathAndQuery());
    assertEquals(List.of(InetAddress.getByName("149.154.167.220")), d.addresses());
    assertEquals(1, resolutions.get());
  }

  @Test
  void check_publicLiteral_canonicalAcceptedNonCanonicalRefused() throws Exception {
    MediaPolicy p = MediaPolicy.builder().allowHosts("x", "8.8.8.8", "2001:4860:4860::8888").build();
    DestinationGuard guard = new DestinationGuard(p, publicResolver);
    assertEquals(List.of(InetAddress.getByName("8.8.8.8")), guard.check("x", URI.create("https://8.8.8.8/")).addresses());
    assertEquals(
        Reason.INVALID_URL,
        assertThrows(MediaRejectedException.class, () -> guard.check("x", URI.create("https://134744072/"))).reason());
    assertEquals(
        Reason.INVALID_URL,
        assertThrows(MediaRejectedException.class, () -> guard.check("x", URI.create("https://8.8.8.010/"))).reason());
    assertEquals(
        "2001:4860:4860:0:0:0:0:8888",
        guard.check("x", URI.create("https://[2001:4860:4860::8888]/")).host());
    assertEquals(0, resolutions.get());
  }

  @Test
  void check_hostnameResolvingPrivate_refused() {
    for (byte[] addr :
        List.of(
            new byte[] {10, 1, 2, 3},
            new byte[] {127, 0, 0, 1},
            new byte[] {(byte) 169, (byte) 254, (byte) 169, (byte) 254},
            new byte[] {(byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
            new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})) {
      HostResolver r = host -> List.of(InetAddress.getByAddress(host, addr));
      DestinationGuard guard = new DestinationGuard(permissive, r);
      assertEquals(
          Reason.PRIVATE_ADDRESS,
          assertThrows(MediaRejectedException.class, () -> guard.check("telegram", URI.create("https://a.corp.example/")))
              .reason());
    }
  }

  @Test
  void check_allowlistSchemeAndShape() {
    DestinationGuard guard = new DestinationGuard(permissive, publicResolver);
    record Case(String platform, String url, Reason reason) {}
    for (Case c :
        List.of(
            new Case("telegram", "https://evil.com/", Reason.HOST_NOT_ALLOWED),
            new Case("telegram", "https://corp.example/", Reason.HOST_NOT_ALLOWED), // *.corp.example: subdomains only
            new Case("telegram", "https://api.telegram.org.evil.com/", Reason.HOST_NOT_ALLOWED),
            new Case("discord", "https://api.telegram.org/", Reason.HOST_NOT_ALLOWED), // another platform's host
            new Case("telegram", "http://api.telegram.org/", Reason.INSECURE_SCHEME),
            new Case("telegram", "file:///etc/passwd", Reason.INSECURE_SCHEME),
            new Case("telegram", "gopher://api.telegram.org/", Reason.INSECURE_SCHEME),
            new Case("telegram", "https://user:pw@api.telegram.org/", Reason.INVALID_URL),
            new Case("telegram", "https://api.telegram.org@evil.com/", Reason.INVALID_URL),
            new Case("telegram", "https://bad_host!.example/", Reason.INVALID_URL),
            new Case("telegram", "https://[fe80::1%25eth0]/", Reason.INVALID_URL),
            new Case("telegram", "https://999.1.1.1/", Reason.INVALID_URL),
            new Case("telegram", "https://1.2.3.4.5/", Reason.INVALID_URL),
            new Case("telegram", "mailto:a@b.c", Reason.INSECURE_SCHEME))) {
      MediaRejectedException e =
          assertThrows(MediaRejectedException.class, () -> guard.check(c.platform(), URI.create(c.url())), c.url());
      assertEquals(c.reason(), e.reason(), c.url() + " -> " + e.getMessage());
    }
  }

  @Test
  void check_unresolvableHost_resolutionFailed() {
    DestinationGuard guard =
        new DestinationGuard(permissive, host -> {
          throw new UnknownHostException(host);
        });
    assertEquals(
        Reason.RESOLUTION_FAILED,
        assertThrows(MediaRejectedException.class, () -> guard.check("telegram", URI.create("https://a.corp.example/")))
            .reason());
    DestinationGuard empty = new DestinationGuard(permissive, host -> List.of());
    assertEquals(
        Reason.RESOLUTION_FAILED,
        assertThrows(MediaRejectedException.class, () -> empty.check("telegram", URI.create("https://a.corp.example/")))
            .reason());
  }

  @Test
  void check_loopbackTestSwitch_opensOnlyItsPort() throws Exception {
    MediaPolicy p = MediaPolicy.builder().allowHosts("t", "127.0.0.1", "localhost").allowLoopbackForTesting(8081).build();
    HostResolver loop = host -> List.of(InetAddress.getLoopbackAddress());
    DestinationGuard guard = new DestinationGuard(p, loop);
    assertEquals(8081, guard.check("t", URI.create("http://127.0.0.1:8081/")).port());
    assertEquals(8081, guard.check("t", URI.create("http://localhost:8081/")).port());
    assertEquals(
        Reason.PRIVATE_ADDRESS,
        assertThrows(MediaRejectedException.class, () -> guard.check("t", URI.create("http://127.0.0.1:8082/")))
            .reason());
    assertEquals(
        Reason.PRIVATE_ADDRESS,
        assertThrows(MediaRejectedException.class, () -> guard.check("t", URI.create("http://localhost/"))).reason());
  }
}
