// Validate one AsyncAPI document with the pinned @asyncapi/parser; print its diagnostics
// as one JSON array on stdout. Usage: node asyncapi_parse.js <node_modules dir> <document>
// The parser is loaded from the node_modules folder the caller found (the checkout's), so
// the version package-lock.json pins is the one that judges the document.
"use strict";
const path = require("node:path");
const { createRequire } = require("node:module");

async function main() {
  const [modules, document] = process.argv.slice(2);
  const load = createRequire(path.join(path.resolve(modules), "noop.js"));
  const { Parser, fromFile } = load("@asyncapi/parser");
  const { diagnostics } = await fromFile(new Parser(), path.resolve(document)).parse();
  const out = diagnostics.map((d) => ({
    severity: d.severity, // 0 error, 1 warning, 2 information, 3 hint
    code: String(d.code),
    message: d.message,
    path: d.path,
    source: d.source || null,
    line: d.range ? d.range.start.line + 1 : 0,
    col: d.range ? d.range.start.character + 1 : 0,
  }));
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => {
  process.stderr.write(String((error && error.stack) || error));
  process.exit(2);
});
