// Where mcp-audit's own files are. It runs either from its TypeScript sources (a checkout: Node 24
// strips the types) or from the JavaScript that `npm run build` compiles into dist/ (the published
// package: Node does not strip types under node_modules). dist/ mirrors the source tree, with the
// runtime assets copied beside the modules, so only the way back to the package root differs.
import { fileURLToPath } from 'node:url';

/** True when this module is the .ts source, false when it is the compiled .js in dist/. */
export const RUNS_FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The folder that holds package.json and bin/: the checkout, or node_modules/mcp-audit. */
export const PACKAGE_ROOT = fileURLToPath(new URL(RUNS_FROM_SOURCE ? '..' : '../..', import.meta.url));

/** The folder the module tree starts at (core/, detector/, migrations/, ...): the checkout, or dist/. */
export const MODULES_ROOT = fileURLToPath(new URL('..', import.meta.url));
