// The command line a tool call carries, out of its redacted argument preview (canonical JSON,
// possibly cut short): the values under command-like keys, as text an alert can show and as input
// for the shell normaliser. A tool's working folder (`cwd`) is context, never the command.
import { normalizeShell, type ShellCommands } from './shell.normalize.ts';

/** Argument names that hold a command line, a script or an argv. */
const COMMAND_KEY = /^(?:command|cmd|commands|command_line|commandline|shell_command|script|args|argv|arguments)$/i;
/** A string value under such a key, for previews that are no longer valid JSON (cut at their limit). */
const COMMAND_PAIR = /"(command|cmd|commands|command_line|commandline|shell_command|script)"\s*:\s*"((?:[^"\\]|\\.)*)"?/gi;

/** The command lines of a call: strings, or argvs when the arguments split the command into words. */
export function commandsInArguments(preview: string): (string | string[])[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(preview);
  } catch {
    return [...preview.matchAll(COMMAND_PAIR)].map((m) => unescapeJson(m[2]!));
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return [];
  const found: (string | string[])[] = [];
  let head: string | undefined;
  let argv: string[] | undefined;
  for (const [k, v] of Object.entries(parsed)) {
    if (!COMMAND_KEY.test(k)) continue;
    if (typeof v === 'string') {
      if (/^(?:command|cmd)$/i.test(k)) head = v;
      else found.push(v);
    } else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) argv = v as string[];
  }
  // {"command": "bash", "args": ["-c", "..."]} is one argv; a lone command string is a command line.
  if (head !== undefined && argv !== undefined) found.unshift([head, ...argv]);
  else {
    if (head !== undefined) found.unshift(head);
    if (argv !== undefined) found.push(argv);
  }
  return found;
}

/** The normalised commands of every command line in the arguments, merged. */
export function shellCommandsInArguments(preview: string): ShellCommands {
  const all: ShellCommands = { argvs: [], commands: [], truncated: false };
  for (const line of commandsInArguments(preview)) {
    const r = normalizeShell(line);
    all.argvs.push(...r.argvs);
    for (const c of r.commands) if (!all.commands.includes(c)) all.commands.push(c);
    all.truncated ||= r.truncated;
  }
  return all;
}

function unescapeJson(s: string): string {
  try {
    return JSON.parse(`"${s.replace(/\\$/, '')}"`) as string;
  } catch {
    return s;
  }
}
