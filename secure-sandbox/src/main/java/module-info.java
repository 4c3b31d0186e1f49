/** SecureYeoman sandbox: seccomp-bpf filters and Linux namespace isolation for untrusted commands. */
@SuppressWarnings("requires-automatic") // JNA 5 ships as an automatic module (com.sun.jna)
module dev.secureyeoman.sandbox {
  requires transitive org.jspecify; // @NullMarked/@Nullable appear in the API
  requires transitive dev.secureyeoman.core;
  requires org.slf4j;
  requires com.sun.jna;

  exports dev.secureyeoman.sandbox;
  exports dev.secureyeoman.sandbox.seccomp;
  exports dev.secureyeoman.sandbox.seccomp.bpf;
  exports dev.secureyeoman.sandbox.landlock;
}
