// The AgentDojo benchmark's workspace and travel suites (bench/agentdojo/, MIT), exported as recorded
// MCP exchanges with trace labels. Its banking and slack suites are kept for the independent
// held-out evaluation and are not here.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TraceLabel } from '../../simulate/quality/trace.score.ts';
import type { LabelledSet } from './external.eval.ts';

const DATA = fileURLToPath(new URL('../agentdojo/data/', import.meta.url));

interface Manifest {
  day: string;
  history_days: number;
  suites: string[];
}

export function agentdojoSets(): LabelledSet[] {
  const manifest = JSON.parse(readFileSync(`${DATA}manifest.json`, 'utf8')) as Manifest;
  const labels = (JSON.parse(readFileSync(`${DATA}labels.json`, 'utf8')) as { traces: (TraceLabel & { suite: string })[] }).traces;
  return manifest.suites.map((suite) => ({
    name: `agentdojo-${suite}`,
    history: [{ file: `${DATA}${suite}.history.ndjson.gz` }],
    day: [{ file: `${DATA}${suite}.benign.ndjson.gz` }, { file: `${DATA}${suite}.attacks.ndjson.gz` }],
    labels: labels.filter((l) => l.suite === suite),
    dayStartMs: Date.parse(`${manifest.day}T00:00:00Z`),
    lookbackDays: manifest.history_days,
  }));
}
