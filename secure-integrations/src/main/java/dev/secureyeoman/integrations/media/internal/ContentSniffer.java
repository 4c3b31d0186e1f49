package dev.secureyeoman.integrations.media.internal;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Recognises a file's type from its first bytes (magic numbers), ignoring names and declared types.
 *
 * <p>Only the first {@link #PREFIX_BYTES} bytes are looked at, so the answer is known as soon as that much has arrived
 * and a download can be aborted early. The result is a lower-case media type; {@link #UNKNOWN} when nothing matched.
 */
public final class ContentSniffer {

  /** How many leading bytes decide the type. */
  public static final int PREFIX_BYTES = 512;

  /** The type reported for content that matched no signature. */
  public static final String UNKNOWN = "application/octet-stream";

  private ContentSniffer() {}

  /**
   * Sniffs the type of content whose first bytes are {@code buf[0..len)}.
   *
   * @param buf the leading bytes (only the first {@code min(len, PREFIX_BYTES)} are read)
   * @param len how many bytes of {@code buf} are valid
   * @return a media type such as {@code image/png}, or {@link #UNKNOWN}
   */
  public static String sniff(byte[] buf, int len) {
    int n = Math.min(Math.min(len, buf.length), PREFIX_BYTES);
    if (n <= 0) {
      return UNKNOWN;
    }
    if (starts(buf, n, 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1)) {
      return CFB; // OLE2 compound file: .doc/.xls/.ppt (macros), .msi installers, .msg
    }
    if (starts(buf, n, 0xFF, 0xD8, 0xFF)) {
      return "image/jpeg";
    }
    if (starts(buf, n, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
      return "image/png";
    }
    if (ascii(buf, n, 0, "GIF87a") || ascii(buf, n, 0, "GIF89a")) {
      return "image/gif";
    }
    if (ascii(buf, n, 0, "RIFF") && n >= 12) {
      if (ascii(buf, n, 8, "WEBP")) {
        return "image/webp";
      }
      if (ascii(buf, n, 8, "WAVE")) {
        return "audio/wav";
      }
      if (ascii(buf, n, 8, "AVI ")) {
        return "video/x-msvideo";
      }
    }
    if (ascii(buf, n, 0, "BM") && n >= 14 && buf[6] == 0 && buf[7] == 0 && buf[8] == 0 && buf[9] == 0) {
      return "image/bmp";
    }
    if (starts(buf, n, 'I', 'I', 0x2A, 0x00) || starts(buf, n, 'M', 'M', 0x00, 0x2A)) {
      return "image/tiff";
    }
    if (n >= 12 && ascii(buf, n, 4, "ftyp")) {
      return isoBmff(buf, n);
    }
    if (ascii(buf, n, 0, "%PDF-")) {
      return "application/pdf";
    }
    if (starts(buf, n, 'P', 'K', 0x03, 0x04)) {
      return isJavaOrAndroidArchive(buf, n) ? JAR : "application/zip";
    }
    if (starts(buf, n, 'P', 'K', 0x05, 0x06)) {
      return "application/zip";
    }
    if (starts(buf, n, 0x1F, 0x8B)) {
      return "application/gzip";
    }
    if (starts(buf, n, '7', 'z', 0xBC, 0xAF, 0x27, 0x1C)) {
      return "application/x-7z-compressed";
    }
    if (ascii(buf, n, 0, "Rar!\u001a\u0007")) {
      return "application/vnd.rar";
    }
    if (ascii(buf, n, 0, "OggS")) {
      return "audio/ogg";
    }
    if (ascii(buf, n, 0, "fLaC")) {
      return "audio/flac";
    }
    if (ascii(buf, n, 0, "ID3") || (n >= 2 && (buf[0] & 0xff) == 0xFF && (buf[1] & 0xE6) == 0xE2)) {
      return "audio/mpeg"; // ID3 tag or MPEG-1/2 layer III frame sync
    }
    if (starts(buf, n, 0x1A, 0x45, 0xDF, 0xA3)) {
      return "video/webm"; // EBML: WebM or Matroska
    }
    if (starts(buf, n, 0x7F, 'E', 'L', 'F')) {
      return "application/x-executable";
    }
    if (ascii(buf, n, 0, "MZ")) {
      return "application/x-msdownload";
    }
    if (starts(buf, n, 0xCF, 0xFA, 0xED, 0xFE)
        || starts(buf, n, 0xCE, 0xFA, 0xED, 0xFE)
        || starts(buf, n, 0xFE, 0xED, 0xFA, 0xCF)
        || starts(buf, n, 0xFE, 0xED, 0xFA, 0xCE)
        || starts(buf, n, 0xCA, 0xFE, 0xBA, 0xBE)) {
      return "application/x-mach-binary"; // also Java class files (CAFEBABE): executable either way
    }
    if (ascii(buf, n, 0, "#!")) {
      return "text/x-shellscript";
    }
    if (isText(buf, n)) {
      return markupType(buf, n);
    }
    return UNKNOWN;
  }

  /** A Java archive or Android package: a ZIP whose first entry is {@code META-INF/…}, a manifest or classes. */
  public static final String JAR = "application/java-archive";

  /** The first local file header's name says what the archive is: {@code jar} and APK tools write these first. */
  private static boolean isJavaOrAndroidArchive(byte[] buf, int n) {
    if (n < 30) {
      return false;
    }
    int nameLen = (buf[26] & 0xff) | (buf[27] & 0xff) << 8;
    String name = new String(buf, 30, Math.min(nameLen, n - 30), StandardCharsets.ISO_8859_1);
    return name.startsWith("META-INF/")
        || name.equals("AndroidManifest.xml")
        || name.equals("classes.dex")
        || name.endsWith(".class");
  }

  /** OLE2 compound file binary format (CFB). */
  public static final String CFB = "application/x-cfb";

  /**
   * Markup a browser acts on: an element that is (or starts) an HTML document, loads or runs something, or opens SVG
   * or MathML. Matched case-insensitively against the ISO-8859-1 reading of the prefix (tags are ASCII, so UTF-8 text
   * matches too).
   */
  private static final Pattern ACTIVE_MARKUP =
      Pattern.compile(
          "<(?:!doctype\\s+html|html|head|body|script|iframe|frame|frameset|object|embed|applet|style|meta|link|base"
              + "|img|image|form|input|button|a|div|table|title|svg|math|template|xmp|video|audio|source|foreignobject)"
              + "[\\s>/]",
          Pattern.CASE_INSENSITIVE);

  private static final Pattern SVG = Pattern.compile("<svg[\\s>/]", Pattern.CASE_INSENSITIVE);

  /**
   * Returns whether the prefix holds markup that a browser would act on if the content were ever rendered as HTML
   * (used to refuse image/markup polyglots).
   *
   * @param buf the leading bytes
   * @param len how many are valid
   * @return whether active markup occurs in the first {@link #PREFIX_BYTES} bytes
   */
  public static boolean containsActiveMarkup(byte[] buf, int len) {
    int n = Math.min(Math.min(len, buf.length), PREFIX_BYTES);
    return n > 0 && ACTIVE_MARKUP.matcher(new String(buf, 0, n, StandardCharsets.ISO_8859_1)).find();
  }

  /** Text is HTML, SVG or XML when markup says so; otherwise plain. */
  private static String markupType(byte[] buf, int n) {
    String text;
    if (starts(buf, n, 0xFE, 0xFF)) {
      text = new String(buf, 2, n - 2, StandardCharsets.UTF_16BE);
    } else if (starts(buf, n, 0xFF, 0xFE)) {
      text = new String(buf, 2, n - 2, StandardCharsets.UTF_16LE);
    } else {
      text = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
    }
    if (SVG.matcher(text).find()) {
      return "image/svg+xml";
    }
    if (ACTIVE_MARKUP.matcher(text).find()) {
      return "text/html";
    }
    String lead = text.replaceFirst("^\\x{EF}\\x{BB}\\x{BF}|^\\x{FEFF}", "").stripLeading();
    if (lead.regionMatches(true, 0, "<?xml", 0, 5)) {
      return "application/xml";
    }
    return "text/plain";
  }

  private static String isoBmff(byte[] buf, int n) {
    String brand = new String(buf, 8, 4, StandardCharsets.ISO_8859_1);
    switch (brand) {
      case "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1":
        return "image/heic";
      case "avif", "avis":
        return "image/avif";
      case "qt  ":
        return "video/quicktime";
      case "M4A ", "M4B ", "M4P ":
        return "audio/mp4";
      case "3gp4", "3gp5", "3gp6", "3g2a":
        return "video/3gpp";
      default:
        return "video/mp4";
    }
  }

  /** UTF-8 (or UTF-16 with a BOM) without NUL bytes and with few control characters. */
  private static boolean isText(byte[] b, int n) {
    if (starts(b, n, 0xFE, 0xFF) || starts(b, n, 0xFF, 0xFE)) {
      return true;
    }
    int i = starts(b, n, 0xEF, 0xBB, 0xBF) ? 3 : 0;
    int controls = 0;
    while (i < n) {
      int c = b[i] & 0xff;
      if (c < 0x80) {
        if (c == 0) {
          return false;
        }
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b) {
          controls++;
        }
        i++;
        continue;
      }
      int extra;
      if (c >= 0xC2 && c <= 0xDF) {
        extra = 1;
      } else if (c >= 0xE0 && c <= 0xEF) {
        extra = 2;
      } else if (c >= 0xF0 && c <= 0xF4) {
        extra = 3;
      } else {
        return false;
      }
      for (int k = 1; k <= extra; k++) {
        if (i + k >= n) {
          return true; // a sequence cut by the end of the prefix
        }
        if ((b[i + k] & 0xC0) != 0x80) {
          return false;
        }
      }
      i += extra + 1;
    }
    return controls * 20 <= n; // at most 5 % odd control characters
  }

  private static boolean starts(byte[] b, int n, int... sig) {
    if (n < sig.length) {
      return false;
    }
    for (int i = 0; i < sig.length; i++) {
      if ((b[i] & 0xff) != sig[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean ascii(byte[] b, int n, int offset, String s) {
    if (n < offset + s.length()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if ((b[offset + i] & 0xff) != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
