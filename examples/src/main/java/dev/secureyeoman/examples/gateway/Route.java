package dev.secureyeoman.examples.gateway;

/** A handler for one method and path. */
@FunctionalInterface
public interface Route {
  /**
   * Handles a request.
   *
   * @param request the request
   * @return the response
   * @throws Exception mapped to a JSON error by the pipeline ({@link ApiException} for a chosen status)
   */
  ApiResponse handle(ApiRequest request) throws Exception;
}
