package dev.secureyeoman.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secureyeoman.audit.internal.MacKeys;
import dev.secureyeoman.core.SecretBytes;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.crypto.Mac;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, item 9: on the class path every public class is reachable, so no public member of secure-audit may turn an
 * {@link AuditKeyring} into key bytes or a keyed MAC (the former {@code internal.KeyringAccess.newMac} was such an
 * oracle: with it, any code holding the host's keyring could forge entries for any seq and prev hash).
 */
class KeyMaterialReachabilityTest {

  private static List<Class<?>> mainClasses() throws Exception {
    Path root = Path.of(AuditStore.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Class<?>> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String name = root.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
        if (!name.equals("module-info")) {
          out.add(Class.forName(name, false, AuditStore.class.getClassLoader()));
        }
      }
    }
    return out;
  }

  private static boolean secretType(Class<?> t) {
    return Mac.class.isAssignableFrom(t) || Key.class.isAssignableFrom(t) || t == SecretBytes.class
        || t == byte[].class || t == MacKeys.class;
  }

  @Test
  void noPublicMember_turnsAKeyringIntoKeyMaterialOrAMac() throws Exception {
    List<String> leaks = new ArrayList<>();
    List<Class<?>> classes = mainClasses();
    assertTrue(classes.size() > 20, "found the main classes: " + classes.size());
    for (Class<?> c : classes) {
      if (!Modifier.isPublic(c.getModifiers())) {
        continue;
      }
      List<Executable> members = new ArrayList<>(List.of(c.getDeclaredMethods()));
      members.addAll(List.of(c.getDeclaredConstructors()));
      for (Executable m : members) {
        if (!Modifier.isPublic(m.getModifiers()) && !Modifier.isProtected(m.getModifiers())) {
          continue;
        }
        boolean takesRing = Stream.of(m.getParameterTypes()).anyMatch(AuditKeyring.class::equals);
        Class<?> returns = m instanceof Method method ? method.getReturnType() : void.class;
        if ((takesRing && secretType(returns)) || returns == MacKeys.class) {
          leaks.add(m.toString());
        }
      }
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isPublic(f.getModifiers()) && (secretType(f.getType()) || f.getType() == AuditKeyring.class)) {
          leaks.add(f.toString());
        }
      }
    }
    assertEquals(List.of(), leaks);
    assertThrows(ClassNotFoundException.class,
        () -> Class.forName("dev.secureyeoman.audit.internal.KeyringAccess"), "the old oracle is gone");
  }

  @Test
  void theStoreStillGetsItsKeys_throughThePackagePrivatePath() throws Exception {
    Method accessor = AuditKeyring.class.getDeclaredMethod("macKeys");
    assertFalse(Modifier.isPublic(accessor.getModifiers()));
    try (AuditKeyring ring = AuditKeyring.of(1, TestSupport.key(1))) {
      assertEquals(32, ring.macKeys().mac(1).getMacLength());
      assertEquals(null, ring.macKeys().mac(2));
      assertFalse(ring.macKeys().toString().matches(".*[0-9a-f]{16}.*"));
    }
  }
}
