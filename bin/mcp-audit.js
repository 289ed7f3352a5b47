#!/usr/bin/env node
// Entry point of the `mcp-audit` CLI. In a checkout Node 24 runs the TypeScript sources directly
// (type stripping), so development needs no build step. The published package ships the JavaScript
// that `npm run build` compiles into dist/ instead, because Node does not strip types under
// node_modules. The sources win when both exist, so a stale dist/ left by `npm pack` never runs in
// a checkout. Older runtimes are refused with a clear message instead of a syntax error.
import { existsSync } from 'node:fs';
import module from 'node:module';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `mcp-audit needs Node 24 or newer (this is ${process.version}). ` +
      'In a checkout, run it through npm (`npx mcp-audit`, `npm start`), which uses the pinned Node 24 from ' +
      'devDependencies; an installed mcp-audit needs Node 24 on the PATH.\n',
  );
  process.exit(1);
}
// V8's compile cache (in the system temp folder, or NODE_COMPILE_CACHE) keeps the compiled and
// type-stripped modules between runs: loading what `ingest` needs drops from about 0.95 to 0.62
// CPU-seconds, and ingest and the detector start a process per worker. Node checks each entry
// against the source, so an edited file is compiled again; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache?.();
const source = new URL('../cli/main.ts', import.meta.url);
await import(existsSync(source) ? source.href : new URL('../dist/cli/main.js', import.meta.url).href);
