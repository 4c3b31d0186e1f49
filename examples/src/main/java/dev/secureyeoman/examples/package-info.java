/**
 * Example applications. {@link dev.secureyeoman.examples.GatewayMain} is the README's "run" command: an HTTP gateway on
 * embedded defaults that grows as the SDK's modules land.
 */
package dev.secureyeoman.examples;
