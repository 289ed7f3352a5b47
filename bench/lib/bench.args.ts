// A bench's command line: node's parseArgs with `--help`, and an unknown or malformed option
// answered with the bench's usage and exit code 2 instead of a stack trace.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

export function benchArgs<const O extends ParseArgsOptionsConfig>(options: O, usage: string, args: string[] = process.argv.slice(2)) {
  try {
    const { values } = parseArgs({ args, options: { ...options, help: { type: 'boolean' } } as O & { help: { type: 'boolean' } } });
    if ((values as { help?: boolean }).help) {
      process.stdout.write(`${usage.trim()}\n`);
      process.exit(0);
    }
    return values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage.trim()}\n`);
    process.exit(2);
  }
}
