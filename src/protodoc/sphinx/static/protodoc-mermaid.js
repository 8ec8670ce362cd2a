/* protodoc.sphinx: draw <pre class="mermaid"> blocks with the bundled Mermaid. */
if (window.mermaid) {
  window.mermaid.initialize({ startOnLoad: true, securityLevel: "strict" });
}
