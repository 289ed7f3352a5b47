// The commands a shell call runs, normalised once per event and shared by every rule that asks.
import { commandsInArguments, shellCommandsInArguments } from '../shell.arguments.ts';
import type { Ev } from './rule.types.ts';

const NONE: readonly string[] = Object.freeze([]);
const cache = new WeakMap<Ev, readonly string[]>();

/** Normalised command names of a `shell.exec` call (curl, sh, nc, ...); [] for other classes. */
export function shellCommandsOf(ev: Ev): readonly string[] {
  if (ev.cls.class !== 'shell.exec' || !ev.e.arguments) return NONE;
  let c = cache.get(ev);
  if (c === undefined) cache.set(ev, (c = shellCommandsInArguments(ev.e.arguments.preview).commands));
  return c;
}

/** The command line of a shell call as the (redacted) arguments carry it, for summaries. */
export function commandTextOf(ev: Ev): string | undefined {
  if (ev.cls.class !== 'shell.exec' || !ev.e.arguments) return undefined;
  const first = commandsInArguments(ev.e.arguments.preview)[0];
  return first === undefined ? undefined : Array.isArray(first) ? first.join(' ') : first;
}
