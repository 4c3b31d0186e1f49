package dev.secureyeoman.sandbox.seccomp;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What this kernel and process offer for self-sandboxing, as found by {@link SeccompProbe#probe()}.
 *
 * @param arch the JVM's architecture ({@code x86_64}, {@code aarch64}) or {@code unsupported (...)}
 * @param seccompFilter whether filter mode (seccomp-bpf) can be installed
 * @param tsync whether {@code SECCOMP_FILTER_FLAG_TSYNC} (process-wide filters) is supported
 * @param actions the {@code SECCOMP_RET_*} actions the kernel supports, by {@link SeccompAction.Kind} name
 * @param landlockAbi the Landlock ABI version, 0 when Landlock is unavailable
 * @param currentSeccompMode the probing thread's seccomp mode (0 none, 1 strict, 2 filter), -1 if unknown
 * @param currentNoNewPrivs whether the probing thread already has no_new_privs
 * @param syscallTables the headers the compiler's syscall tables were generated from
 * @param detail why something is unavailable, or empty
 */
public record KernelSupport(String arch, boolean seccompFilter, boolean tsync, List<String> actions,
    int landlockAbi, int currentSeccompMode, boolean currentNoNewPrivs, String syscallTables, String detail) {

  /**
   * Copies the action list.
   *
   * @param arch architecture
   * @param seccompFilter filter mode available
   * @param tsync TSYNC available
   * @param actions supported actions
   * @param landlockAbi Landlock ABI or 0
   * @param currentSeccompMode current mode
   * @param currentNoNewPrivs current no_new_privs
   * @param syscallTables table source
   * @param detail detail text
   */
  public KernelSupport {
    actions = List.copyOf(actions);
    detail = detail == null ? "" : detail;
  }

  /**
   * Whether Landlock can be used.
   *
   * @return true when the ABI is at least 1
   */
  public boolean landlock() {
    return landlockAbi > 0;
  }

  /**
   * A JSON object with the same fields (stable camelCase keys, like every other JSON of the sandbox module), for
   * {@code secureyeoman sandbox probe --json}.
   *
   * @return the JSON text
   */
  public String toJson() {
    StringBuilder sb = new StringBuilder("{");
    sb.append("\"arch\":").append(quote(arch));
    sb.append(",\"seccompFilter\":").append(seccompFilter);
    sb.append(",\"seccompTsync\":").append(tsync);
    sb.append(",\"seccompActions\":[");
    for (int i = 0; i < actions.size(); i++) {
      sb.append(i == 0 ? "" : ",").append(quote(actions.get(i)));
    }
    sb.append("],\"landlock\":").append(landlock());
    sb.append(",\"landlockAbi\":").append(landlockAbi);
    sb.append(",\"currentSeccompMode\":").append(currentSeccompMode);
    sb.append(",\"currentNoNewPrivs\":").append(currentNoNewPrivs);
    sb.append(",\"syscallTables\":").append(quote(syscallTables));
    sb.append(",\"detail\":").append(quote(detail));
    return sb.append('}').toString();
  }

  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }
}
