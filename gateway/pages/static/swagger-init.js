// Starts Swagger UI on /docs: a file of the page's own, since its policy allows no inline script.
"use strict";
const mount = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle({
  url: mount.dataset.openapiUrl,
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
