#!/usr/bin/env node
// Entry point of the `mcp-audit` CLI. Node 24 runs the TypeScript sources directly (type stripping),
// so there is no build step; refuse older runtimes with a clear message instead of a syntax error.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `mcp-audit needs Node 24 or newer (this is ${process.version}). ` +
      'Run it through npm (`npx mcp-audit`, `npm start`), which uses the pinned Node 24 from devDependencies.\n',
  );
  process.exit(1);
}
await import('../cli/main.ts');
