package dev.secureyeoman.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Red team attack18: a password written raw into the URL's user-info (operators do) that contains '/', '?' or '#' was
 * printed, whole or in part, by every message that shows the "redacted" URL (gateway start error, CLI errors).
 */
class Attack18RedactUrlTest {

  @ParameterizedTest
  @ValueSource(strings = {"S3cr/etPw", "S3cr?etPw", "S3cr#etPw", "S3cr@et/Pw", "S3cr/et@Pw"})
  void passwordWithUrlDelimitersInUserInfo_neverShown(String password) {
    String url = "jdbc:postgresql://admin:" + password + "@db.example:5432/sy";
    String shown = SecurityConfig.Storage.redactUrl(url);
    for (String part : new String[] {"S3cr", "etPw", "admin"}) {
      assertFalse(shown.contains(part), shown);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "jdbc:postgresql://h:5432/db?user=a@b&password=S3cretPw", "jdbc:postgresql://h:5432/db#x@y?password=S3cretPw"})
  void atSignInQuery_passwordNeverShown(String url) {
    assertFalse(SecurityConfig.Storage.redactUrl(url).contains("S3cret"), SecurityConfig.Storage.redactUrl(url));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "jdbc:postgresql://db.example:5432/sy", "jdbc:postgresql://admin:pw@db.example:5432/sy",
      "jdbc:postgresql://db.example:5432/sy?password=pw&ssl=true"})
  void ordinaryUrls_keepHostPortDatabase(String url) {
    assertEquals(
        url.contains("?") ? "jdbc:postgresql://db.example:5432/sy?\u2026" : "jdbc:postgresql://db.example:5432/sy",
        SecurityConfig.Storage.redactUrl(url));
  }
}
