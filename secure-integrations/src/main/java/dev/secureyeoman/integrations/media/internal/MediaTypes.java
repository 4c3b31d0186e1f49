package dev.secureyeoman.integrations.media.internal;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Normalises declared media types and decides whether a sniffed type is compatible with a declared one. */
public final class MediaTypes {

  /** Sniffed types that denote programs; refused unless the policy allows executables. */
  public static final Set<String> EXECUTABLE =
      Set.of("application/x-executable", "application/x-msdownload", "application/x-mach-binary", "text/x-shellscript",
          ContentSniffer.JAR);

  /** Declared types of programs: content accepted under them would later be run or installed as one. */
  private static final Set<String> EXECUTABLE_DECLARED =
      Set.of(
          "application/java-archive",
          "application/x-java-archive",
          "application/vnd.android.package-archive",
          "application/x-msdownload",
          "application/x-msdos-program",
          "application/vnd.microsoft.portable-executable",
          "application/x-executable",
          "application/x-elf",
          "application/x-mach-binary",
          "application/x-sh",
          "application/x-shellscript",
          "text/x-shellscript",
          "application/x-apple-diskimage",
          "application/x-bat",
          "application/x-msi");

  /**
   * Sniffed types that run code when rendered or opened: HTML, SVG and XML (script in the document or an XHTML
   * namespace), OLE2 compound files (macros, MSI installers). Refused unless the policy allows active content.
   */
  public static final Set<String> ACTIVE =
      Set.of("text/html", "image/svg+xml", "application/xml", ContentSniffer.CFB);

  /** Declared types under which content would later be served or opened as markup, script or an OLE2 container. */
  private static final Set<String> ACTIVE_DECLARED =
      Set.of(
          "text/html",
          "application/xhtml+xml",
          "image/svg+xml",
          "text/xml",
          "application/xml",
          "text/javascript",
          "application/javascript",
          "application/x-javascript",
          "text/ecmascript",
          "application/ecmascript",
          "text/vbscript",
          "application/hta",
          "application/x-msi",
          "application/x-ole-storage",
          "application/msword",
          "application/vnd.ms-excel",
          "application/vnd.ms-powerpoint",
          "application/vnd.ms-outlook",
          "application/vnd.visio");

  /** Declared types whose content is an OLE2 compound file. */
  private static final Set<String> CFB_BASED =
      Set.of(
          "application/x-msi",
          "application/x-ole-storage",
          "application/msword",
          "application/vnd.ms-excel",
          "application/vnd.ms-powerpoint",
          "application/vnd.ms-outlook",
          "application/vnd.visio");

  private static final Map<String, String> ALIASES =
      Map.ofEntries(
          Map.entry("image/jpg", "image/jpeg"),
          Map.entry("image/pjpeg", "image/jpeg"),
          Map.entry("image/x-png", "image/png"),
          Map.entry("image/x-ms-bmp", "image/bmp"),
          Map.entry("image/heif", "image/heic"),
          Map.entry("audio/mp3", "audio/mpeg"),
          Map.entry("audio/x-wav", "audio/wav"),
          Map.entry("audio/wave", "audio/wav"),
          Map.entry("audio/vnd.wave", "audio/wav"),
          Map.entry("audio/x-flac", "audio/flac"),
          Map.entry("application/x-pdf", "application/pdf"),
          Map.entry("application/x-zip-compressed", "application/zip"),
          Map.entry("application/x-gzip", "application/gzip"),
          Map.entry("application/x-rar-compressed", "application/vnd.rar"));

  /** Declared types whose container is a ZIP archive. */
  private static final Set<String> ZIP_BASED =
      Set.of(
          "application/zip",
          "application/epub+zip",
          "application/java-archive",
          "application/vnd.android.package-archive");

  /** Families within which declarations are loose (for example M4A audio declared as video/mp4). */
  private static final Map<String, String> FAMILY =
      Map.ofEntries(
          Map.entry("video/mp4", "isobmff"),
          Map.entry("audio/mp4", "isobmff"),
          Map.entry("audio/x-m4a", "isobmff"),
          Map.entry("audio/aac", "isobmff"),
          Map.entry("video/quicktime", "isobmff"),
          Map.entry("video/3gpp", "isobmff"),
          Map.entry("audio/ogg", "ogg"),
          Map.entry("audio/opus", "ogg"),
          Map.entry("video/ogg", "ogg"),
          Map.entry("application/ogg", "ogg"),
          Map.entry("video/webm", "ebml"),
          Map.entry("audio/webm", "ebml"),
          Map.entry("video/x-matroska", "ebml"),
          Map.entry("image/heic", "heif"),
          Map.entry("image/avif", "heif"));

  private MediaTypes() {}

  /**
   * Normalises a declared type: lower case, parameters removed, known aliases mapped.
   *
   * @param declared the declared type, may be null or blank
   * @return the normalised type, or {@code null} when nothing useful was declared
   */
  public static @Nullable String normalize(@Nullable String declared) {
    if (declared == null) {
      return null;
    }
    String t = declared;
    int semi = t.indexOf(';');
    if (semi >= 0) {
      t = t.substring(0, semi);
    }
    t = t.strip().toLowerCase(Locale.ROOT);
    if (t.isEmpty() || t.equals(ContentSniffer.UNKNOWN) || t.equals("binary/octet-stream") || t.indexOf('/') <= 0) {
      return null;
    }
    return ALIASES.getOrDefault(t, t);
  }

  /**
   * Returns whether a declaration names active content (markup, script, OLE2 containers): a file accepted under it
   * would later be served or opened as that type, whatever its bytes look like today.
   *
   * @param declared the normalised declared type, or null
   * @return whether the declaration is active
   */
  public static boolean activeDeclaration(@Nullable String declared) {
    return declared != null
        && (ACTIVE_DECLARED.contains(declared) || declared.endsWith("+xml") || declared.contains("macroenabled"));
  }

  /**
   * Returns whether a declaration names a program (JAR, APK, PE, ELF, script, installer).
   *
   * @param declared the normalised declared type, or null
   * @return whether content accepted under it would be run or installed
   */
  public static boolean executableDeclaration(@Nullable String declared) {
    return declared != null && EXECUTABLE_DECLARED.contains(declared);
  }

  /**
   * Returns whether content sniffed as {@code sniffed} may be accepted under the declaration {@code declared}.
   *
   * <p>No declaration (or {@code application/octet-stream}) accepts anything. Otherwise the types must be equal, or
   * the declaration is a specialisation the sniffer cannot see (Office documents are ZIP archives, JSON and CSV are
   * text), or both belong to one container family. A declaration of a type the sniffer recognises never accepts
   * unrecognised content.
   *
   * @param declared the normalised declared type, or null
   * @param sniffed the sniffed type
   * @return whether they are compatible
   */
  public static boolean compatible(@Nullable String declared, String sniffed) {
    if (declared == null || declared.equals(sniffed)) {
      return true;
    }
    switch (sniffed) {
      case "application/zip":
        return ZIP_BASED.contains(declared)
            || declared.startsWith("application/vnd.openxmlformats-officedocument.")
            || declared.startsWith("application/vnd.oasis.opendocument.")
            || declared.startsWith("application/vnd.ms-") && declared.contains("macroenabled");
      case "text/plain":
        return declared.startsWith("text/") && !declared.equals("text/x-shellscript")
            || declared.equals("application/json")
            || declared.equals("application/xml")
            || declared.endsWith("+json")
            || declared.endsWith("+xml")
            || declared.equals("application/x-yaml")
            || declared.equals("application/yaml")
            || declared.equals("application/x-ndjson");
      case ContentSniffer.JAR:
        return declared.equals("application/zip") || ZIP_BASED.contains(declared)
            || declared.equals("application/x-java-archive");
      case "text/html":
        return declared.equals("application/xhtml+xml");
      case "image/svg+xml":
        return declared.equals("application/xml") || declared.equals("text/xml");
      case "application/xml":
        return declared.equals("text/xml") || declared.endsWith("+xml");
      case ContentSniffer.CFB:
        return CFB_BASED.contains(declared);
      case ContentSniffer.UNKNOWN:
        return !recognisable(declared);
      default:
        String family = FAMILY.get(sniffed);
        return family != null && family.equals(FAMILY.get(declared));
    }
  }

  /** Whether the sniffer can recognise content of this declared type (so unknown content contradicts it). */
  private static boolean recognisable(String declared) {
    return declared.startsWith("image/") && !declared.equals("image/svg+xml")
        || declared.startsWith("text/")
        || FAMILY.containsKey(declared)
        || declared.equals("application/pdf")
        || declared.equals("audio/mpeg")
        || declared.equals("audio/wav")
        || declared.equals("audio/flac")
        || ZIP_BASED.contains(declared)
        || declared.equals("application/gzip");
  }
}
