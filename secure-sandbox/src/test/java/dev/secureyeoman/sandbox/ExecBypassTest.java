package dev.secureyeoman.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team item 7: ways around the Landlock mode's exec allowlist, which only {@code python3} may pass. Each probe
 * prints {@code RAN} when the program it is not allowed to run ran, else the errno name.
 */
class ExecBypassTest {
  private static final NamespaceRunner LANDLOCK =
      NamespaceRunner.builder().backend(SandboxBackend.UNSHARE_LANDLOCK).build();

  private static String probe(Path tmp, String code) throws Exception {
    SandboxResult r =
        LANDLOCK.run(
            SandboxPolicy.builder("/usr/bin/python3", "-c", code)
                .allowExec(Path.of("/usr/bin/python3"))
                .workspace(Sandboxes.workspace(tmp))
                .build());
    assertEquals(ExecRestriction.LANDLOCK, r.report().execRestriction(), r.report().toJson());
    return r.stdoutText().strip() + r.stderrText().strip();
  }

  @Test
  void memfdExec_refused(@TempDir Path tmp) throws Exception {
    assumeTrue(Sandboxes.isRoot());
    String code =
        "import os, errno\n"
            + "try:\n"
            + "    fd = os.memfd_create('x', 0)\n"
            + "    os.write(fd, open('/usr/bin/id', 'rb').read())\n"
            + "    os.execve(fd, ['id', '-u'], {})\n"
            + "except OSError as e:\n"
            + "    print(errno.errorcode[e.errno])\n";
    String out = probe(tmp, code);
    assertEquals(true, out.equals("EPERM") || out.equals("EACCES"), "memfd + fexecve ran /usr/bin/id: " + out);
  }

  @Test
  void memfdWithNoexecSeal_stillWorks_butCannotBeExecuted(@TempDir Path tmp) throws Exception {
    assumeTrue(Sandboxes.isRoot());
    String code =
        "import os, errno\n"
            + "fd = os.memfd_create('x', os.MFD_CLOEXEC | 0x8)\n" // MFD_NOEXEC_SEAL: the legitimate use
            + "os.write(fd, b'data'); os.lseek(fd, 0, 0); print(os.read(fd, 4).decode())\n"
            + "try:\n"
            + "    os.execve(fd, ['x'], {})\n"
            + "except OSError as e:\n"
            + "    print(errno.errorcode[e.errno])\n";
    assertEquals("data\nEACCES", probe(tmp, code));
  }

  /**
   * Known gap, kept visible: the ELF interpreter must be executable for every allowed dynamically linked binary, and
   * Landlock cannot tell {@code execve(ld.so)} from the kernel loading it as an interpreter; the loader then maps the
   * target with {@code mmap(PROT_EXEC)}, which Landlock does not check.
   */
  @Test
  void loaderRunDirectly_stillRunsANotAllowedBinary_knownGap(@TempDir Path tmp) throws Exception {
    assumeTrue(Sandboxes.isRoot() && java.nio.file.Files.exists(Path.of("/lib64/ld-linux-x86-64.so.2")));
    String code =
        "import os, errno\n"
            + "try:\n"
            + "    os.execv('/lib64/ld-linux-x86-64.so.2', ['ld.so', '/usr/bin/echo', 'RAN'])\n"
            + "except OSError as e:\n"
            + "    print(errno.errorcode[e.errno])\n";
    assertEquals("RAN", probe(tmp, code));
  }

  @Test
  void directExecOfAnotherBinary_refused_control(@TempDir Path tmp) throws Exception {
    assumeTrue(Sandboxes.isRoot());
    String code =
        "import os, errno\n"
            + "try:\n"
            + "    os.execv('/usr/bin/id', ['id'])\n"
            + "except OSError as e:\n"
            + "    print(errno.errorcode[e.errno])\n";
    assertEquals("EACCES", probe(tmp, code));
  }
}
