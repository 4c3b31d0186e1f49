package dev.secureyeoman.auth.spring;

import dev.secureyeoman.auth.Principal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** The one mapping from secure-auth roles and proven factors to Spring authorities, shared by every adapter. */
final class Authorities {
  private Authorities() {}

  /**
   * Role authorities in sorted role order, then one factor authority per proven factor.
   *
   * @param roles the principal's roles
   * @param issuedAt when the factors were proven
   * @param factorAuthorities e.g. {@link FactorGrantedAuthority#PASSWORD_AUTHORITY}
   * @return the authorities
   */
  static List<GrantedAuthority> of(Collection<String> roles, Instant issuedAt, String... factorAuthorities) {
    List<GrantedAuthority> out = new ArrayList<>(roles.size() + factorAuthorities.length);
    roles.stream().sorted().forEach(r -> out.add(new SimpleGrantedAuthority(SecureYeomanAuthentication.roleAuthority(r))));
    for (String f : factorAuthorities) {
      out.add(FactorGrantedAuthority.withAuthority(f).issuedAt(issuedAt).build());
    }
    return out;
  }

  static List<GrantedAuthority> of(Principal principal, Instant issuedAt, String... factorAuthorities) {
    return of(principal.roles(), issuedAt, factorAuthorities);
  }
}
