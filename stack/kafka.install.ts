// Installs Apache Kafka's jars from Maven Central on first use: the committed POM
// (stack/kafka/pom.xml) lists the broker and its runtime dependencies, Maven copies them into an
// ignored cache folder. A marker file written last makes a half-finished install count as absent.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../core/logger.ts';

export type KafkaVersion = '3.9.2' | '4.1.2';

export const KAFKA_POM = fileURLToPath(new URL('./kafka/pom.xml', import.meta.url));
const MARKER = '.installed';

/** Kafka 3.x logs with log4j 1.x (reload4j), 4.x with log4j2; the POM has one profile each. */
export function kafkaMajor(version: KafkaVersion): 3 | 4 {
  return version.startsWith('3.') ? 3 : 4;
}

export function kafkaInstalled(version: KafkaVersion, libsDir: string): boolean {
  const marker = join(libsDir, MARKER);
  return existsSync(marker) && readFileSync(marker, 'utf8').trim() === version;
}

/** Makes sure `libsDir` holds the jars of Kafka `version`; downloads them with Maven if not. */
export async function ensureKafkaInstalled(version: KafkaVersion, libsDir: string, log: Logger): Promise<void> {
  if (kafkaInstalled(version, libsDir)) return;
  log.info({ version, libsDir }, `installing Kafka ${version} from Maven Central (first use)...`);
  const started = Date.now();
  // Download into a private folder and rename at the end, so two concurrent installs (say, the
  // CLI and a test run) never see each other's half-copied jars.
  const partial = `${libsDir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(dirname(libsDir), { recursive: true });
  const args = [
    '-B', // batch mode: no colours, no interactive prompts
    '-f', KAFKA_POM,
    `-Pkafka${kafkaMajor(version)}`,
    `-Dkafka.version=${version}`,
    `-DoutputDirectory=${partial}`,
    'dependency:copy-dependencies',
  ];
  await runMaven(args, version, log);
  writeFileSync(join(partial, MARKER), `${version}\n`);
  if (kafkaInstalled(version, libsDir)) {
    rmSync(partial, { recursive: true, force: true }); // someone else finished first
  } else {
    rmSync(libsDir, { recursive: true, force: true });
    renameSync(partial, libsDir);
  }
  log.info({ version, seconds: Math.round((Date.now() - started) / 1000) }, `installed Kafka ${version}`);
}

function runMaven(args: string[], version: string, log: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    const mvn = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let downloaded = 0;
    let output = '';
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      downloaded += text.match(/Downloaded from /g)?.length ?? 0;
      output = (output + text).slice(-20_000);
    };
    mvn.stdout.on('data', collect);
    mvn.stderr.on('data', collect);
    // Maven is silent for long stretches while it downloads; a heartbeat shows it is working.
    const progress = setInterval(() => {
      log.info({ version, filesDownloaded: downloaded }, `still installing Kafka ${version}...`);
    }, 5_000);
    mvn.on('error', (err) => {
      clearInterval(progress);
      reject(new Error(`could not run Maven (is \`mvn\` on the PATH?): ${err.message}`));
    });
    mvn.on('close', (code) => {
      clearInterval(progress);
      if (code === 0) resolve();
      else {
        const errors = output.split('\n').filter((l) => l.includes('[ERROR]')).slice(0, 15).join('\n');
        reject(new Error(`installing Kafka ${version} with Maven failed (exit ${code}):\n${errors || output.slice(-4_000)}`));
      }
    });
  });
}
