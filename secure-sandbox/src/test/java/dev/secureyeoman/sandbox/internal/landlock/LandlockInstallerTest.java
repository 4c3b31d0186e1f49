package dev.secureyeoman.sandbox.internal.landlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.sandbox.internal.nativ.ErrnoException;
import dev.secureyeoman.sandbox.internal.nativ.FakeLinuxNative;
import dev.secureyeoman.sandbox.landlock.ExecAllowlist;
import dev.secureyeoman.sandbox.landlock.LandlockException;
import dev.secureyeoman.sandbox.landlock.LandlockStatus;
import dev.secureyeoman.sandbox.landlock.LandlockUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ruleset construction per ABI and the error paths, through a scripted native layer. */
class LandlockInstallerTest {
  @TempDir Path dir;
  private final FakeLinuxNative nat = new FakeLinuxNative();

  private ExecAllowlist allowlist() {
    return ExecAllowlist.builder().allowExecute(Path.of("/bin/true")).allowWrite(dir).implicitHelpers(false).build();
  }

  @Test
  void apply_rightsFollowTheAbi() throws Exception {
    nat.abi = 1;
    LandlockStatus s1 = LandlockInstaller.apply(nat, allowlist());
    assertEquals(1, s1.abi());
    assertEquals(0, s1.handledAccessFs() & (LandlockInstaller.REFER | LandlockInstaller.TRUNCATE));
    nat.abi = 3;
    LandlockStatus s3 = LandlockInstaller.apply(nat, allowlist());
    assertEquals(LandlockInstaller.REFER | LandlockInstaller.TRUNCATE,
        s3.handledAccessFs() & (LandlockInstaller.REFER | LandlockInstaller.TRUNCATE));
    assertTrue(s3.writable().contains(Path.of("/dev/null")));
    assertTrue(s3.writesRestricted());
    // rules of the second apply: exec file, writable directory (all write rights), /dev/null (file rights only)
    int n = nat.ruleRights.size();
    assertEquals(LandlockInstaller.EXECUTE, nat.ruleRights.get(n - 3));
    assertEquals(LandlockInstaller.writeRights(3), nat.ruleRights.get(n - 2));
    assertEquals(LandlockInstaller.WRITE_FILE | LandlockInstaller.TRUNCATE, nat.ruleRights.get(n - 1));
    assertTrue(nat.calls.contains("nnp") && nat.calls.contains("restrict") && nat.calls.contains("close 100"));
  }

  @Test
  void apply_noLandlock_isUnavailable() {
    nat.abiErrno = ErrnoException.EOPNOTSUPP;
    assertThrows(LandlockUnavailableException.class, () -> LandlockInstaller.apply(nat, allowlist()));
    nat.abiErrno = 0;
    nat.abi = 0;
    assertThrows(LandlockUnavailableException.class, () -> LandlockInstaller.apply(nat, allowlist()));
  }

  @Test
  void apply_kernelRefusals_areLandlockExceptionsAndCloseTheRuleset() {
    nat.createErrno = ErrnoException.EINVAL;
    assertFalse(assertThrows(LandlockException.class, () -> LandlockInstaller.apply(nat, allowlist()))
        instanceof LandlockUnavailableException);
    nat.createErrno = 0;
    nat.addErrno = ErrnoException.EINVAL;
    assertTrue(assertThrows(LandlockException.class, () -> LandlockInstaller.apply(nat, allowlist())).getMessage()
        .contains("/bin/true"));
    assertTrue(nat.calls.contains("close 100"));
    nat.addErrno = 0;
    nat.restrictErrno = ErrnoException.EPERM;
    assertThrows(LandlockException.class, () -> LandlockInstaller.apply(nat, allowlist()));
    nat.restrictErrno = 0;
    nat.openErrno = ErrnoException.ENOENT;
    assertTrue(assertThrows(LandlockException.class, () -> LandlockInstaller.apply(nat, allowlist())).getMessage()
        .contains("ENOENT"));
  }

  @Test
  void elfInterpreter_scriptsStaticAndGarbage() throws Exception {
    Path script = Files.writeString(dir.resolve("s.sh"), "#!  /bin/sh -e\necho hi\n");
    assertEquals(Path.of("/bin/sh"), ElfInterpreter.of(script).orElseThrow());
    Path relative = Files.writeString(dir.resolve("r.sh"), "#!sh\n");
    assertTrue(ElfInterpreter.of(relative).isEmpty());
    Path text = Files.writeString(dir.resolve("t.txt"), "hello");
    assertTrue(ElfInterpreter.of(text).isEmpty());
    byte[] truncatedElf = new byte[80];
    truncatedElf[0] = 0x7F;
    truncatedElf[1] = 'E';
    truncatedElf[2] = 'L';
    truncatedElf[3] = 'F';
    truncatedElf[4] = 2;
    truncatedElf[5] = 1;
    truncatedElf[32] = 64; // phoff
    truncatedElf[54] = 56; // phentsize
    truncatedElf[56] = 3; // phnum, but the file ends first
    assertTrue(ElfInterpreter.of(Files.write(dir.resolve("elf"), truncatedElf)).isEmpty());
    truncatedElf[4] = 1; // 32-bit
    assertTrue(ElfInterpreter.of(Files.write(dir.resolve("elf32"), truncatedElf)).isEmpty());
    assertTrue(ElfInterpreter.of(dir.resolve("missing")).isEmpty());
    assertTrue(ElfInterpreter.of(Path.of("/bin/true")).orElseThrow().toString().contains("ld-linux"));
  }
}
