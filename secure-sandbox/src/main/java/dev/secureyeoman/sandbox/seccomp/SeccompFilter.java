package dev.secureyeoman.sandbox.seccomp;

import dev.secureyeoman.sandbox.seccomp.bpf.BpfProgram;
import dev.secureyeoman.sandbox.internal.nativ.LinuxNative;
import dev.secureyeoman.sandbox.internal.nativ.ThreadChecks;
import dev.secureyeoman.sandbox.internal.seccomp.FilterCompiler;
import dev.secureyeoman.sandbox.internal.seccomp.SeccompInstaller;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A seccomp-bpf filter: rules over syscalls compiled to a classic-BPF program the kernel enforces.
 *
 * <p>Build one with {@link #builder()} or take a preset from {@link SeccompProfiles}. The program is compiled when the
 * filter is built (so a filter that exists is known to fit the kernel's limits); use it as bytes for
 * {@code bwrap --seccomp} ({@link #toBpf()}), install it on the calling thread ({@link #applyToCurrentThread()}), or on
 * every thread of the process ({@link #applyToCurrentProcess()}).
 *
 * <h2>Security guarantees</h2>
 * <ul>
 *   <li>The program checks {@code seccomp_data.arch} first: system calls from any architecture the filter was not
 *       compiled for (e.g. {@code int 0x80} i386 calls on x86_64) and the x86_64 x32 ABI get the bad-architecture
 *       action, {@code KILL_PROCESS} unless configured otherwise.</li>
 *   <li>Installation sets {@code no_new_privs} and is confirmed by reading back {@code PR_GET_SECCOMP}; an installed
 *       filter can never be removed, only stacked.</li>
 * </ul>
 *
 * <h2>Non-goals</h2>
 * Seccomp sees register values only: it cannot check paths or other pointer arguments (use Landlock for "which binaries
 * may run", see {@code dev.secureyeoman.sandbox.landlock}), and it does not restrict anything an already-open file
 * descriptor allows.
 */
public final class SeccompFilter {
  /** clone flags a thread-creating {@code pthread_create} passes (CLONE_VM | FS | FILES | SIGHAND | THREAD | ...). */
  private static final long PTHREAD_CLONE_FLAGS = 0x3D0F00L;
  private static final String[] ESSENTIAL = {
    "read", "write", "close", "mmap", "munmap", "mprotect", "brk", "futex", "exit", "exit_group", "rt_sigreturn",
    "rt_sigprocmask", "execve", "openat"
  };

  private final List<Arch> architectures;
  private final SeccompAction defaultAction;
  private final SeccompAction badArchAction;
  private final SeccompAction unknownSyscallAction;
  private final List<SyscallRule> rules;
  private final BpfProgram program;
  private volatile @Nullable List<String> problems; // computed once: the program never changes

  private SeccompFilter(Builder b) {
    this.architectures = List.copyOf(b.architectures);
    this.defaultAction = Objects.requireNonNull(b.defaultAction, "build() requires a defaultAction");
    this.badArchAction = b.badArchAction;
    this.unknownSyscallAction = b.unknownSyscallAction != null ? b.unknownSyscallAction : b.defaultAction;
    this.rules = List.copyOf(b.rules);
    this.program = FilterCompiler.compile(architectures, defaultAction, badArchAction, unknownSyscallAction, rules);
  }

  /**
   * Starts an empty builder: both architectures, bad-architecture action {@code KILL_PROCESS}, no rules.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this filter's settings, to derive a variant.
   *
   * @return a builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.architectures = new ArrayList<>(architectures);
    b.architecturesSet = true;
    b.defaultAction = defaultAction;
    b.badArchAction = badArchAction;
    b.badArchSet = true;
    b.unknownSyscallAction = unknownSyscallAction.equals(defaultAction) ? null : unknownSyscallAction;
    b.rules(rules);
    return b;
  }

  /**
   * Architectures compiled in, in check order.
   *
   * @return the architectures
   */
  public List<Arch> architectures() {
    return architectures;
  }

  /**
   * Action for syscalls no rule matches.
   *
   * @return the default action
   */
  public SeccompAction defaultAction() {
    return defaultAction;
  }

  /**
   * Action for foreign architectures and the x32 ABI.
   *
   * @return the bad-architecture action
   */
  public SeccompAction badArchAction() {
    return badArchAction;
  }

  /**
   * Action for syscall numbers beyond the generated tables, i.e. syscalls newer than the headers the tables came from.
   *
   * @return the action; the default action unless set
   */
  public SeccompAction unknownSyscallAction() {
    return unknownSyscallAction;
  }

  /**
   * The rules in evaluation order.
   *
   * @return an unmodifiable list
   */
  public List<SyscallRule> rules() {
    return rules;
  }

  /**
   * The compiled program, without the {@link #validate()} check (for diagnostics).
   *
   * @return the program
   */
  public BpfProgram program() {
    return program;
  }

  /**
   * The program bytes for {@code bwrap --seccomp FD} or other loaders, after {@link #validate()}.
   *
   * @return {@code struct sock_filter[]} bytes, little-endian
   * @throws IllegalStateException if the filter would break the JVM or the child (see {@link #validate()})
   */
  public byte[] toBpf() {
    validate();
    return program.toBytes();
  }

  /**
   * What the kernel would do with a syscall, computed by running the compiled program.
   *
   * @param arch the architecture
   * @param syscall the syscall name
   * @param args up to six arguments
   * @return the action
   * @throws IllegalArgumentException if the architecture has no such syscall
   */
  public SeccompAction evaluate(Arch arch, String syscall, long... args) {
    return program.evaluate(arch, syscall, args);
  }

  /**
   * Problems that would break the JVM or a child process under this filter, found by running the compiled program on
   * the syscalls every process needs: memory management, futexes, signals, {@code execve}, thread creation with
   * {@code clone}, and {@code clone3}, which must be allowed or fail with {@code ENOSYS} (glibc then falls back to
   * {@code clone}; any other errno makes {@code pthread_create} fail).
   *
   * @return human-readable problems, empty when none were found
   */
  public List<String> problems() {
    List<String> p = problems;
    if (p == null) {
      p = findProblems();
      problems = p;
    }
    return p;
  }

  private List<String> findProblems() {
    Set<String> out = new LinkedHashSet<>();
    for (Arch arch : architectures) {
      for (String s : ESSENTIAL) {
        if (arch.syscallNumber(s).isPresent()) {
          SeccompAction a = program.evaluate(arch, s);
          if (!a.permits()) {
            out.add(s + " gets " + a + " on " + arch + ": processes cannot run without it");
          }
        }
      }
      SeccompAction clone = program.evaluate(arch, "clone", PTHREAD_CLONE_FLAGS);
      if (!clone.permits()) {
        out.add("clone for a new thread gets " + clone + " on " + arch + ": threads cannot be created");
      }
      SeccompAction clone3 = program.evaluate(arch, "clone3");
      if (!clone3.permits() && !clone3.equals(SeccompAction.errno(SeccompAction.ENOSYS))) {
        out.add("clone3 gets " + clone3 + " on " + arch
            + ": it must be allowed or ERRNO(ENOSYS) so glibc falls back to clone");
      }
    }
    return List.copyOf(out);
  }

  /**
   * Rejects filters that would break the JVM or a child process (see {@link #problems()}).
   *
   * @return this filter
   * @throws IllegalStateException listing every problem found
   */
  public SeccompFilter validate() {
    List<String> p = problems();
    if (!p.isEmpty()) {
      throw new IllegalStateException("seccomp filter rejected: " + String.join("; ", p));
    }
    return this;
  }

  /**
   * Installs the filter on the calling thread only: the thread and every process it starts from now on are filtered;
   * other threads are not. Use a dedicated platform thread, never a pooled or virtual one: the filter cannot be
   * removed.
   *
   * @return what the kernel confirmed
   * @throws SeccompUnavailableException when the platform has no seccomp (caller may degrade with a warning)
   * @throws SeccompException when installation failed
   * @throws IllegalStateException if {@link #validate()} rejects the filter or the JVM is not on a compiled-in
   *     architecture
   */
  public AppliedFilter applyToCurrentThread() throws SeccompException {
    return apply(SeccompInstaller.system(), AppliedFilter.Scope.THREAD);
  }

  /**
   * Installs the filter on every thread of the process ({@code SECCOMP_FILTER_FLAG_TSYNC}); threads started later
   * inherit it. Fails without installing anything when another thread already has a filter that is not shared with
   * the caller. Irreversible: use it for self-sandboxing a JVM with {@link SeccompProfiles#jvmDenyList()}.
   * {@code no_new_privs} is set on the calling thread first and stays set even when the kernel then refuses the filter.
   *
   * @return what the kernel confirmed
   * @throws SeccompUnavailableException when the platform has no seccomp or no TSYNC
   * @throws SeccompException when installation failed (e.g. TSYNC refused)
   * @throws IllegalStateException if {@link #validate()} rejects the filter or the JVM is not on a compiled-in
   *     architecture
   */
  public AppliedFilter applyToCurrentProcess() throws SeccompException {
    return apply(SeccompInstaller.system(), AppliedFilter.Scope.PROCESS);
  }

  AppliedFilter apply(LinuxNative nat, AppliedFilter.Scope scope) throws SeccompException {
    validate();
    if (scope == AppliedFilter.Scope.THREAD) {
      ThreadChecks.requirePlatformThread(Thread.currentThread(), "a thread-scoped seccomp filter");
    }
    if (!architectures.contains(nat.arch())) {
      throw new IllegalStateException("filter compiled for " + architectures + " but the JVM runs on " + nat.arch()
          + ": every syscall would get " + badArchAction);
    }
    return SeccompInstaller.install(nat, program, scope);
  }

  @Override
  public String toString() {
    return "SeccompFilter[" + architectures + ", default " + defaultAction + ", " + rules.size() + " rules, "
        + program.length() + " instructions]";
  }

  /** Validating builder; each single-valued option may be set once. Not thread-safe. */
  public static final class Builder {
    private List<Arch> architectures = new ArrayList<>(List.of(Arch.X86_64, Arch.AARCH64));
    private boolean architecturesSet;
    private @Nullable SeccompAction defaultAction;
    private SeccompAction badArchAction = SeccompAction.killProcess();
    private boolean badArchSet;
    private @Nullable SeccompAction unknownSyscallAction;
    private final List<SyscallRule> rules = new ArrayList<>();
    private final Map<String, SyscallRule> unconditional = new HashMap<>();

    private Builder() {}

    /**
     * Architectures to compile for (default: x86_64 and aarch64).
     *
     * @param archs one or more distinct architectures
     * @return this builder
     * @throws IllegalArgumentException if empty or duplicated
     * @throws IllegalStateException if already set
     */
    public Builder architectures(Arch... archs) {
      if (architecturesSet) {
        throw new IllegalStateException("architectures already set to " + architectures);
      }
      if (archs == null || archs.length == 0) {
        throw new IllegalArgumentException("architectures must name at least one architecture");
      }
      EnumSet<Arch> seen = EnumSet.noneOf(Arch.class);
      for (Arch a : archs) {
        if (a == null || !seen.add(a)) {
          throw new IllegalArgumentException("architectures must be distinct and non-null: " + Arrays.toString(archs));
        }
      }
      architectures = new ArrayList<>(Arrays.asList(archs));
      architecturesSet = true;
      return this;
    }

    /**
     * Action for syscalls no rule matches. Required. {@code ERRNO(EPERM)} makes an allow-list, {@code ALLOW} a
     * deny-list.
     *
     * @param action the action
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder defaultAction(SeccompAction action) {
      if (action == null) {
        throw new IllegalArgumentException("defaultAction must not be null");
      }
      if (defaultAction != null) {
        throw new IllegalStateException("defaultAction already set to " + defaultAction);
      }
      defaultAction = action;
      return this;
    }

    /**
     * Action for foreign architectures and x32 syscalls (default {@code KILL_PROCESS}).
     *
     * @param action the action; must not permit the syscall
     * @return this builder
     * @throws IllegalArgumentException if the action would allow foreign-architecture syscalls
     * @throws IllegalStateException if already set
     */
    public Builder badArchAction(SeccompAction action) {
      if (action == null || action.permits()) {
        throw new IllegalArgumentException("badArchAction must deny the syscall, got " + action);
      }
      if (badArchSet) {
        throw new IllegalStateException("badArchAction already set to " + badArchAction);
      }
      badArchAction = action;
      badArchSet = true;
      return this;
    }

    /**
     * Action for syscall numbers at or beyond the end of the generated tables: syscalls added to the kernel after the
     * headers the tables were generated from, which no rule can name (default: the default action). Deny-lists set
     * {@code ERRNO(ENOSYS)} here so that a newer kernel's syscalls are not silently allowed while callers still fall
     * back to older syscalls.
     *
     * @param action the action
     * @return this builder
     * @throws IllegalStateException if already set
     */
    public Builder unknownSyscallAction(SeccompAction action) {
      if (action == null) {
        throw new IllegalArgumentException("unknownSyscallAction must not be null");
      }
      if (unknownSyscallAction != null) {
        throw new IllegalStateException("unknownSyscallAction already set to " + unknownSyscallAction);
      }
      unknownSyscallAction = action;
      return this;
    }

    /**
     * Adds a rule after the existing ones.
     *
     * @param rule the rule
     * @return this builder
     * @throws IllegalStateException if the syscall already has an unconditional rule, which would shadow this one
     */
    public Builder rule(SyscallRule rule) {
      if (rule == null) {
        throw new IllegalArgumentException("rule must not be null");
      }
      SyscallRule shadow = unconditional.get(rule.syscall());
      if (shadow != null) {
        throw new IllegalStateException("syscall '" + rule.syscall() + "' already has the unconditional rule "
            + shadow + "; removeRules first to replace it");
      }
      rules.add(rule);
      if (rule.unconditional()) {
        unconditional.put(rule.syscall(), rule);
      }
      return this;
    }

    /**
     * Adds rules in order.
     *
     * @param more the rules
     * @return this builder
     */
    public Builder rules(Collection<SyscallRule> more) {
      for (SyscallRule r : more) {
        rule(r);
      }
      return this;
    }

    /**
     * Adds an unconditional {@code ALLOW} rule for each syscall.
     *
     * @param syscalls syscall names
     * @return this builder
     */
    public Builder allow(String... syscalls) {
      return action(SeccompAction.allow(), syscalls);
    }

    /**
     * Adds an unconditional {@code ERRNO(errno)} rule for each syscall.
     *
     * @param errno the errno
     * @param syscalls syscall names
     * @return this builder
     */
    public Builder errno(int errno, String... syscalls) {
      return action(SeccompAction.errno(errno), syscalls);
    }

    /**
     * Adds an unconditional rule with the given action for each syscall.
     *
     * @param action the action
     * @param syscalls syscall names
     * @return this builder
     */
    public Builder action(SeccompAction action, String... syscalls) {
      for (String s : syscalls) {
        rule(SyscallRule.of(s, action));
      }
      return this;
    }

    /**
     * Removes every rule for a syscall, so it can be redefined.
     *
     * @param syscall the syscall name
     * @return this builder
     */
    public Builder removeRules(String syscall) {
      rules.removeIf(r -> r.syscall().equals(syscall));
      unconditional.remove(syscall);
      return this;
    }

    /**
     * Compiles the filter.
     *
     * @return the filter
     * @throws IllegalStateException if no default action was set
     * @throws IllegalArgumentException if the program would exceed 4096 instructions
     */
    public SeccompFilter build() {
      if (defaultAction == null) {
        throw new IllegalStateException("defaultAction must be set (ERRNO(EPERM) for an allow-list, ALLOW for a "
            + "deny-list)");
      }
      return new SeccompFilter(this);
    }
  }
}
