/* bmdlab serve — the API documentation page (/api/docs): Swagger UI over /api/openapi.json.
 *
 * "Try it out" sends what the server asks of every request that changes state: the server's token
 * (from this page's <meta name="bmdlab-token">, filled in by the server) in X-Bmdlab-Token, and a
 * JSON content type. No inline script: the page's Content-Security-Policy allows only 'self' scripts.
 */
"use strict";

(function () {
  const meta = document.querySelector('meta[name="bmdlab-token"]');
  const token = meta ? meta.content : "";
  const changes = new Set(["POST", "PUT", "PATCH", "DELETE"]);
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    requestInterceptor: (req) => {
      if (changes.has(String(req.method || "GET").toUpperCase())) {
        req.headers["X-Bmdlab-Token"] = token;
        const typed = Object.keys(req.headers).some((k) => k.toLowerCase() === "content-type");
        if (!typed) req.headers["Content-Type"] = "application/json";
      }
      return req;
    },
  });
})();
