/**
 * SecureYeoman web: framework-neutral HTTP hardening policies (rate limits, secure headers, request ids, CORS,
 * request-body validation, security metrics). Hosts adapt them to their HTTP server; nothing here depends on one.
 */
module dev.secureyeoman.web {
  requires transitive org.jspecify; // @NullMarked/@Nullable appear in the API
  requires transitive dev.secureyeoman.core;
  requires org.slf4j;
  requires io.github.bucket4j.core;
  // optional (issue 18): needed only by RedisBuckets, when security.cache.redis_url is set
  requires static io.github.bucket4j.lettuce;
  requires static io.github.bucket4j.redis.common;
  requires static lettuce.core;
  requires com.github.benmanes.caffeine;
  requires transitive micrometer.core;
  requires com.fasterxml.jackson.databind;
  requires transitive jakarta.validation;
  requires org.hibernate.validator;

  exports dev.secureyeoman.web;
}
