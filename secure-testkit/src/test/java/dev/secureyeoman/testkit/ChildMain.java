package dev.secureyeoman.testkit;

import dev.secureyeoman.testkit.internal.SysvShm;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/** The main class the child-JVM tests run; what it does depends on its first argument. */
public final class ChildMain {
  private ChildMain() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "echo" -> {
        System.out.println("ready pid=" + ProcessHandle.current().pid());
        System.out.println("args=" + String.join(",", Arrays.asList(args).subList(1, args.length)));
        System.out.println("prop=" + System.getProperty("testkit.prop"));
        System.out.println("env=" + System.getenv("TESTKIT_ENV"));
        System.out.println("dir=" + Path.of("").toAbsolutePath());
        System.out.println("jvmargs=" + String.join(" ", ProcessHandle.current().info().arguments().orElse(new String[0])));
        System.err.println("err-line");
        System.exit(Integer.parseInt(System.getenv().getOrDefault("TESTKIT_EXIT", "0")));
      }
      case "hang" -> {
        System.out.println("ready");
        new CountDownLatch(1).await();
      }
      case "spawn-sleep" -> {
        Process sleep = new ProcessBuilder("sleep", "600").start();
        System.out.println("grandchild=" + sleep.pid());
        new CountDownLatch(1).await();
      }
      case "child-jvm" -> {
        ChildJvm grandchild = ChildJvm.builder(ChildMain.class).args("hang").start();
        grandchild.awaitStdout(java.util.regex.Pattern.compile("ready"), java.time.Duration.ofSeconds(60));
        System.out.println("grandchild=" + grandchild.pid());
        new CountDownLatch(1).await();
      }
      case "servers" -> {
        RedisServer redis = RedisServer.start();
        System.out.println("redis=" + redis.pid() + " " + redis.directory());
        PostgresServer pg = PostgresServer.start();
        SysvShm.Segment segment = SysvShm.postgresSegment(pg.dataDirectory()).orElseThrow();
        System.out.println("pg=" + pg.pid() + " " + pg.directory() + " " + segment.key() + " " + segment.id());
        new CountDownLatch(1).await();
      }
      case "forget" -> {
        // started and never closed: the JVM's shutdown hook must stop them and delete their directories
        RedisServer redis = RedisServer.start();
        PostgresServer pg = PostgresServer.start();
        System.out.println("forgot redis=" + redis.pid() + " " + redis.directory() + " pg=" + pg.pid() + " " + pg.directory());
        System.exit(0);
      }
      case "silent" -> System.exit(0);
      default -> throw new IllegalArgumentException(args[0]);
    }
  }
}
