// The import rule of the project, checked by dependency-cruiser in `npm test` (test/unit/layers.test.ts):
// every import runs downward. Folders sit in layers, bottom first; a file may import its own folder
// and any folder of a lower layer, never a folder of its own layer (a peer) or of a higher one.
// docs/architecture.md explains each layer. A new top-level folder must be given a layer here (the
// test fails until it is).
//
//   npx depcruise --config .dependency-cruiser.mjs .        (what the test runs; `--output-type dot` draws it)

/** Bottom first. Folders in one entry are peers: none imports another. */
export const layers = [
  // Configuration, logger, clients, lifecycle and composition of services.
  ['core'],
  // The contracts (event, alert, signal) and their codecs, including the fast validator.
  ['schemas'],
  // Capability classification: the catalogue, classify, inference, tool hints.
  ['classify'],
  // Talking to the platform: the producer library, ClickHouse migrations, the local Kafka and
  // ClickHouse stack. None of them knows the services.
  ['producer', 'migrations', 'stack'],
  // Capture turns MCP traffic into events and sends them through the producer.
  ['capture'],
  // OTLP intake maps spans and logs to exchanges that capture builds into events.
  ['otlp'],
  // The services: each consumes a topic and knows no other service.
  ['ingest', 'detector', 'notifier'],
  // The api serves what the services keep (rules, baselines, backtests) and takes events in
  // (POST /v1/events, OTLP); simulate generates traffic through capture and the producer; the
  // Grafana dashboards are built from the events table and the rule pack's poisoning phrases.
  ['api', 'simulate', 'dashboards'],
  // What `mcp-audit run --demo` adds.
  ['demo'],
  // Entry points: the command line, the package's public modules, the build of dist/.
  ['cli', 'exports', 'build'],
  // May import anything below. Tests beside the code may import test/support/ too (see below).
  ['test', 'bench'],
];

/** Known imports between peers, each with the reason it is still there. None today. */
const allowedPeerImports = [];

const folder = (names) => `^(${names.join('|')})/`;
const TEST_FILE = '\\.test\\.ts$';

function layerRules() {
  const rules = [];
  layers.forEach((layer, i) => {
    const above = layers.slice(i + 1).flat();
    for (const name of layer) {
      const peers = layer.filter((p) => p !== name);
      const exceptions = allowedPeerImports.filter((a) => a.from === `^${name}/`).map((a) => a.to);
      if (above.length > 0) {
        rules.push({
          name: `${name}-imports-upward`,
          severity: 'error',
          comment: `${above.join(', ')} sit above ${name}/: it may not import them.`,
          from: { path: `^${name}/` },
          // Tests beside the code may use the test tooling in test/support/ (next rule).
          to: { path: folder(above), pathNot: '^test/support/' },
        });
      }
      if (peers.length > 0) {
        rules.push({
          name: `${name}-imports-a-peer`,
          severity: 'error',
          comment: `${name}/ and ${peers.join(', ')} are peers in one layer: neither imports the other.`,
          from: { path: `^${name}/` },
          to: { path: folder(peers), ...(exceptions.length ? { pathNot: exceptions.join('|') } : {}) },
        });
      }
    }
  });
  return rules;
}

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    ...layerRules(),
    {
      name: 'production-code-imports-test-tooling',
      severity: 'error',
      comment: 'Only tests use test/support/: a service that imports it would ship test tooling.',
      from: { path: '^(?!test/|bench/)[^/]+/', pathNot: TEST_FILE },
      to: { path: '^test/' },
    },
    {
      name: 'test-beside-code-imports-a-test',
      severity: 'error',
      comment: 'A test beside the code may use test/support/, nothing else under test/.',
      from: { path: `^(?!test/|bench/)[^/]+/.*${TEST_FILE}` },
      to: { path: '^test/', pathNot: '^test/support/' },
    },
  ],
  options: {
    // Type-only imports count: a type from a layer above is as much a dependency as a value.
    tsPreCompilationDeps: true,
    doNotFollow: { path: '^node_modules' },
    exclude: { path: '^(node_modules|dist|\\.stack|\\.cache)/' },
  },
};
