/** SecureYeoman sandbox: seccomp-bpf filters and Linux namespace isolation for untrusted commands. */
module dev.secureyeoman.sandbox {
  requires transitive dev.secureyeoman.core;
  requires org.slf4j;

  exports dev.secureyeoman.sandbox;
}
