package dev.secureyeoman.examples.gateway;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Exact-path routing: an unknown path is 404, a known path with another method 405 with {@code Allow}. */
public final class Router {
  private final Map<String, Map<String, Route>> routes = new TreeMap<>();

  /** Creates an empty router. */
  public Router() {}

  /**
   * Adds a GET route.
   *
   * @param path the exact path
   * @param route the handler
   */
  public void get(String path, Route route) {
    add("GET", path, route);
  }

  /**
   * Adds a HEAD route (answered with a status and headers, no body).
   *
   * @param path the exact path
   * @param route the handler
   */
  public void head(String path, Route route) {
    add("HEAD", path, route);
  }

  /**
   * Adds a POST route.
   *
   * @param path the exact path
   * @param route the handler
   */
  public void post(String path, Route route) {
    add("POST", path, route);
  }

  private void add(String method, String path, Route route) {
    if (routes.computeIfAbsent(path, p -> new LinkedHashMap<>()).putIfAbsent(method, route) != null) {
      throw new IllegalStateException(method + " " + path + " is already routed");
    }
  }

  /**
   * Finds the route of a request.
   *
   * @param method the method
   * @param path the path
   * @return the route
   * @throws ApiException 404 or 405
   */
  public Route find(String method, String path) throws ApiException {
    Map<String, Route> byMethod = routes.get(path);
    if (byMethod == null) {
      throw new ApiException(404, "not found");
    }
    return Optional.ofNullable(byMethod.get(method))
        .orElseThrow(
            () ->
                new ApiException(
                    405, "method not allowed", java.util.List.of(), Map.of("Allow", String.join(", ", byMethod.keySet()))));
  }
}
