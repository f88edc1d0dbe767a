// Renders ```mermaid blocks (emitted as <div class="mermaid-diagram">) with the vendored
// mermaid.min.js. The SVG goes straight into the page, where search, printing and tests
// can see it, and nothing is fetched from another host.
(function () {
  "use strict";

  let counter = 0;

  function mermaidTheme() {
    const scheme = document.body.getAttribute("data-md-color-scheme");
    return scheme === "slate" ? "dark" : "default";
  }

  async function renderDiagrams() {
    const blocks = document.querySelectorAll("div.mermaid-diagram:not([data-rendered])");
    if (blocks.length === 0 || typeof mermaid === "undefined") {
      return;
    }
    mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: mermaidTheme() });
    for (const block of blocks) {
      const source = block.textContent;
      block.setAttribute("data-rendered", "pending");
      try {
        const { svg } = await mermaid.render(`mermaid-diagram-${counter++}`, source);
        block.innerHTML = svg;
        block.setAttribute("data-rendered", "ok");
      } catch (error) {
        // Keep the source visible: a reader still gets the information as text.
        block.setAttribute("data-rendered", "error");
        console.error("mermaid could not render a diagram", error);
      }
    }
  }

  // Material publishes every page load (including instant navigation) on document$.
  if (typeof document$ !== "undefined") {
    document$.subscribe(renderDiagrams);
  } else {
    document.addEventListener("DOMContentLoaded", renderDiagrams);
  }
})();
