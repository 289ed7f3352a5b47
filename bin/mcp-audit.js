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
// kafkajs 2.2.4 schedules timers with negative delays, which Node 24 reports as a warning on every
// run; Node clamps them to 1 ms as kafkajs expects, so that one warning is noise. Others still print.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'TimeoutNegativeWarning') process.stderr.write(`${w.name}: ${w.message}\n`);
});
await import('../cli/main.ts');
