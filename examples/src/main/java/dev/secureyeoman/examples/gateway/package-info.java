/**
 * The example gateway's HTTP layer: {@link dev.secureyeoman.examples.gateway.GatewayHttp} adapts Jetty 12 (core, no
 * servlets) to a small request/response model, applies the {@code dev.secureyeoman.web} policies to every request, and
 * dispatches to the route classes. All {@code AuthService} calls live in
 * {@link dev.secureyeoman.examples.gateway.AuthRoutes}.
 */
package dev.secureyeoman.examples.gateway;
