package dev.secureyeoman.core.killswitch;

import java.nio.file.Path;

/** Run in a second JVM by {@link KillSwitchTest}: {@code KillSwitchChild FILE engage|release|state ACTOR}. */
public final class KillSwitchChild {
  private KillSwitchChild() {}

  public static void main(String[] args) throws Exception {
    KillSwitch ks = KillSwitch.builder(Path.of(args[0])).build();
    switch (args[1]) {
      case "engage" -> ks.engage(args[2], "from another process");
      case "release" -> ks.release(args[2], "from another process");
      default -> { }
    }
    System.out.println(ks.isEngaged());
  }
}
