/**
 * JMH benchmarks. Each class states the question it answers and compares an SDK operation with its raw baseline in the
 * same run. Build with {@code ./mvnw -q -DskipTests -pl benchmarks -am package}, then run one benchmark with
 * {@code java -jar benchmarks/target/benchmarks.jar SecretBytesBenchmark -f 1 -wi 3 -i 5}.
 */
package dev.secureyeoman.benchmarks;
