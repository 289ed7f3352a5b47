// Private key blocks (PEM and PGP armour), also cut-off ones: a truncated read of id_rsa is still
// a secret, so a block without its END line is redacted to the end of the text.
import type { Runs } from './runs.ts';
import type { Span } from './spans.ts';

const HEADER = /-----BEGIN ([A-Z0-9 ]{0,40})-----/y;

export function findPrivateKeys(runs: Runs, out: Span[]): void {
  findPemBlocks(runs, out);
  findPuttyKeys(runs, out);
}

/** PuTTY `.ppk` files: everything from `Private-Lines:` to the end of the `Private-MAC:` line. */
function findPuttyKeys(runs: Runs, out: Span[]): void {
  const text = runs.text;
  let from = 0;
  for (;;) {
    const at = runs.indexOf('PuTTY-User-Key-File-', from);
    if (at === -1) return;
    const priv = text.indexOf('Private-Lines:', at);
    if (priv === -1) return;
    const mac = text.indexOf('Private-MAC:', priv);
    const end = mac === -1 ? text.length : runs.lineEnd(mac);
    out.push({ start: priv, end, kind: 'private_key' });
    if (mac === -1) return;
    from = end;
  }
}

function findPemBlocks(runs: Runs, out: Span[]): void {
  const text = runs.text;
  let from = 0;
  for (;;) {
    const at = runs.indexOf('-----BEGIN ', from);
    if (at === -1) return;
    HEADER.lastIndex = at;
    const m = HEADER.exec(text);
    const label = m?.[1] ?? '';
    if (!m || !/PRIVATE KEY(?: BLOCK)?$/.test(label)) {
      from = at + 11;
      continue;
    }
    const endLine = `-----END ${label}-----`;
    const end = text.indexOf(endLine, at + m[0].length);
    if (end === -1) {
      out.push({ start: at, end: text.length, kind: 'private_key' });
      return;
    }
    out.push({ start: at, end: end + endLine.length, kind: 'private_key' });
    from = end + endLine.length;
  }
}
