/**
 * SecureYeoman auth for Spring Security: a {@code PasswordEncoder} over secure-auth's Argon2id hasher, an {@code
 * AuthenticationProvider} over {@code AuthService.login}, and bearer-token bridges over {@code AuthService.authenticate}.
 *
 * <p>Every Spring Security module is {@code requires static}: the host brings Spring Security at the version its own
 * build manages. The password encoder needs only {@code spring.security.crypto}; the login provider needs {@code
 * spring.security.core}; the bearer bridges need {@code spring.security.oauth2.resource.server} (and {@code
 * spring.security.oauth2.jose} for the {@code JwtDecoder}).
 */
module dev.secureyeoman.auth.spring {
  requires transitive org.jspecify; // @NullMarked/@Nullable appear in the API
  requires transitive dev.secureyeoman.auth;
  requires static transitive spring.security.crypto;
  requires static transitive spring.security.core;
  requires static transitive spring.security.oauth2.core;
  requires static transitive spring.security.oauth2.jose;
  requires static transitive spring.security.oauth2.resource.server;
  requires static transitive spring.core;
  requires static spring.security.web;
  requires com.nimbusds.jose.jwt;

  exports dev.secureyeoman.auth.spring;
}
