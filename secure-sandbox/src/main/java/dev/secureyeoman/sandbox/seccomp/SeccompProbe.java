package dev.secureyeoman.sandbox.seccomp;

import dev.secureyeoman.sandbox.seccomp.bpf.BpfProgram;
import dev.secureyeoman.sandbox.internal.nativ.ErrnoException;
import dev.secureyeoman.sandbox.internal.nativ.LinuxNative;
import dev.secureyeoman.sandbox.internal.seccomp.SeccompInstaller;
import dev.secureyeoman.sandbox.internal.seccomp.Syscalls;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds out, without installing anything, what seccomp and Landlock support this kernel offers. Used by
 * {@code secureyeoman sandbox probe} and by runners choosing a backend.
 */
public final class SeccompProbe {
  private SeccompProbe() {}

  /**
   * Probes the running kernel.
   *
   * @return the findings; never throws for an unsupported platform, which is reported as unavailable
   */
  public static KernelSupport probe() {
    LinuxNative nat;
    try {
      nat = SeccompInstaller.system();
    } catch (SeccompUnavailableException e) {
      return new KernelSupport("unsupported (" + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
          + ")", false, false, List.of(), 0, -1, false, Syscalls.source(), String.valueOf(e.getMessage()));
    }
    return probe(nat);
  }

  static KernelSupport probe(LinuxNative nat) {
    List<String> detail = new ArrayList<>();
    int mode = -1;
    boolean nnp = false;
    try {
      mode = nat.seccompMode();
      nnp = nat.noNewPrivs();
    } catch (ErrnoException e) {
      detail.add(e.getMessage());
    }
    // SET_MODE_FILTER with a NULL program: EFAULT means the kernel would accept the mode and flags, EINVAL it would not
    int plain = nat.seccompProbeFlags(0);
    boolean filter = plain == ErrnoException.EFAULT;
    if (!filter) {
      detail.add("seccomp filter mode unavailable (" + ErrnoException.name(plain) + ")");
    }
    boolean tsync = filter && nat.seccompProbeFlags(LinuxNative.SECCOMP_FILTER_FLAG_TSYNC) == ErrnoException.EFAULT;
    List<String> actions = new ArrayList<>();
    if (filter) {
      for (SeccompAction.Kind k : SeccompAction.Kind.values()) {
        if (nat.seccompActionAvailable(k.value())) {
          actions.add(k.name());
        }
      }
    }
    int abi = 0;
    try {
      abi = nat.landlockAbiVersion();
    } catch (ErrnoException e) {
      detail.add("Landlock unavailable (" + ErrnoException.name(e.errno()) + ")");
    }
    return new KernelSupport(nat.arch().toString(), filter, tsync, actions, abi, mode, nnp, Syscalls.source(),
        String.join("; ", detail));
  }

  /**
   * The disassembly of the default allow-list profile, for diagnostics output.
   *
   * @return the listing from {@link BpfProgram#disassemble()}
   */
  public static String defaultProfileListing() {
    return SeccompProfiles.defaultAllowList().program().disassemble();
  }
}
