package dev.secureyeoman.auth.spring;

import dev.secureyeoman.auth.AuthService;
import dev.secureyeoman.auth.AuthTokens;
import dev.secureyeoman.auth.Principal;
import jakarta.servlet.Filter;
import java.util.stream.Collectors;
import org.springframework.context.annotation.AnnotationConfigUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockServletContext;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.InternalAuthenticationServiceException;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.support.GenericWebApplicationContext;
import org.springframework.web.servlet.config.annotation.EnableWebMvc;

/**
 * A minimal real Spring MVC + Spring Security application around one {@link AuthService}, as docs/auth-spring.md
 * configures it: a stateless JSON login ({@code POST /login}), bearer tokens through the provider bridge on {@code
 * /api/**} and through the {@code JwtDecoder} bridge on {@code /jwt/**}.
 */
final class SpringApp implements AutoCloseable {
  final GenericWebApplicationContext context;
  final MockMvc mvc;

  private SpringApp(AuthService authService) {
    context = new GenericWebApplicationContext(new MockServletContext());
    AnnotationConfigUtils.registerAnnotationConfigProcessors(context);
    context.registerBean(AuthService.class, () -> authService);
    context.registerBean(SecurityConfig.class);
    context.registerBean(Endpoints.class);
    context.refresh();
    mvc =
        MockMvcBuilders.webAppContextSetup(context)
            .addFilters(context.getBean("springSecurityFilterChain", Filter.class))
            .build();
  }

  static SpringApp start(AuthService authService) {
    return new SpringApp(authService);
  }

  @Override
  public void close() {
    context.close();
  }

  @Configuration
  @EnableWebSecurity
  @EnableWebMvc
  static class SecurityConfig {

    @Bean
    @Order(1)
    SecurityFilterChain login(HttpSecurity http, AuthService authService) throws Exception {
      AuthenticationManager login = new ProviderManager(SecureYeomanAuthenticationProvider.of(authService));
      http.securityMatcher("/login")
          .authenticationManager(login)
          .csrf(c -> c.disable())
          .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
          .formLogin(
              form ->
                  form.loginProcessingUrl("/login")
                      .successHandler(
                          (req, res, auth) -> {
                            AuthTokens t = ((SecureYeomanAuthentication) auth).tokens().orElseThrow();
                            json(res, 200, "{\"accessToken\":\"" + t.accessToken() + "\",\"refreshToken\":\""
                                + t.refreshToken() + "\"}");
                          })
                      .failureHandler(
                          (req, res, e) -> {
                            if (e instanceof MfaRequiredException mfa) {
                              json(res, 401, "{\"mfaRequired\":true,\"challengeToken\":\""
                                  + mfa.challengeToken().orElseThrow() + "\"}");
                            } else if (e instanceof LoginThrottledAuthenticationException t) {
                              res.setHeader("Retry-After", Long.toString(t.retryAfter().toSeconds()));
                              json(res, 429, "{\"error\":\"too many attempts\"}");
                            } else if (e instanceof InternalAuthenticationServiceException) {
                              json(res, 503, "{\"error\":\"service unavailable\"}");
                            } else {
                              json(res, 401, "{\"error\":\"" + e.getMessage() + "\"}");
                            }
                          }))
          .authorizeHttpRequests(a -> a.anyRequest().permitAll());
      return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain api(HttpSecurity http, AuthService authService) throws Exception {
      AuthenticationManager bearer =
          new ProviderManager(SecureYeomanBearerTokenAuthenticationProvider.of(authService));
      http.securityMatcher("/api/**")
          .csrf(c -> c.disable())
          .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
          .oauth2ResourceServer(rs -> rs.authenticationManagerResolver(request -> bearer))
          .authorizeHttpRequests(
              a ->
                  a.requestMatchers("/api/admin/**")
                      .hasRole(Principal.ROLE_ADMIN)
                      .anyRequest()
                      .authenticated());
      return http.build();
    }

    // the JwtDecoder route as Spring Boot wires it: two beans, picked up by oauth2ResourceServer(jwt(withDefaults()))
    @Bean
    JwtDecoder jwtDecoder(AuthService authService) {
      return new SecureYeomanJwtDecoder(authService);
    }

    @Bean
    JwtAuthenticationConverter jwtAuthenticationConverter() {
      return SecureYeomanJwtDecoder.authenticationConverter();
    }

    @Bean
    @Order(3)
    SecurityFilterChain jwt(HttpSecurity http) throws Exception {
      http.securityMatcher("/jwt/**")
          .csrf(c -> c.disable())
          .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
          .oauth2ResourceServer(rs -> rs.jwt(Customizer.withDefaults()))
          .authorizeHttpRequests(
              a ->
                  a.requestMatchers("/jwt/admin/**")
                      .hasRole(Principal.ROLE_ADMIN)
                      .anyRequest()
                      .authenticated());
      return http.build();
    }

    private static void json(jakarta.servlet.http.HttpServletResponse res, int status, String body)
        throws java.io.IOException {
      res.setStatus(status);
      res.setContentType(MediaType.APPLICATION_JSON_VALUE);
      res.getWriter().write(body);
    }
  }

  @RestController
  static class Endpoints {
    @GetMapping("/api/me")
    String me(@AuthenticationPrincipal Principal principal, Authentication auth) {
      return principal.userId() + " " + principal.username() + " " + authorities(auth);
    }

    @GetMapping("/api/admin/ping")
    String adminPing(@AuthenticationPrincipal Principal principal) {
      return "admin " + principal.username();
    }

    @GetMapping("/jwt/me")
    String jwtMe(Authentication auth) {
      return auth.getName() + " " + authorities(auth);
    }

    @GetMapping("/jwt/admin/ping")
    String jwtAdminPing(Authentication auth) {
      return "admin " + auth.getName();
    }

    private static String authorities(Authentication auth) {
      return auth.getAuthorities().stream().map(GrantedAuthority::getAuthority).sorted().collect(Collectors.joining(","));
    }
  }
}
