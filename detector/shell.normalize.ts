// Shell command normaliser: from a command line (a string, or an argv array), the commands it runs,
// as a shell would see them after quote removal and expansion, so a rule can match `curl` however
// it was written: `c''url`, `\c\u\r\l`, `$'\x63url'`, `$'\143url'`, `{curl,-s,x}`, `curl$IFS-s`,
// `` `echo curl` ``, `$(printf cu)rl`, `a=cu;b=rl;$a$b`, full-width `ｃｕｒｌ` or Cyrillic `сurl`.
//
// It over-approximates on purpose (any word that can be a command is reported) and never runs
// anything. One pass over the text; substitutions are parsed where they stand, backtick bodies once
// more per nesting level (at most MAX_DEPTH); every output is capped, so the work is linear in the
// (capped) input.
import { expand } from 'brace-expansion';
import { clean as dropInvisible, confusablesMap } from 'confusables';

/** Longer input is cut (and `truncated` set): argument previews are at most 4 KiB anyway. */
export const MAX_SHELL_INPUT = 16_384;
/** Nesting of substitutions, `bash -c`, `eval` followed; deeper text is read as plain words. */
const MAX_DEPTH = 8;
const MAX_COMMANDS = 512;
const MAX_WORDS_PER_COMMAND = 256;
/** Total characters of all words produced: variables can double a value at every assignment. */
const MAX_OUTPUT_CHARS = 65_536;
const MAX_VARS = 64;
const MAX_VAR_VALUE = 256;
const MAX_BRACE_RESULTS = 64;
/** brace-expansion's own work grows with the groups of a word; bigger words are kept literal. */
const MAX_BRACE_WORD = 256;
const MAX_BRACE_GROUPS = 8;
/** Words brace-expanded per line; later ones are kept literal. */
const MAX_BRACE_WORDS = 32;

export interface ShellCommands {
  /** Every simple command found, also inside substitutions, `sh -c` and `eval`, as normalised words. */
  argvs: string[][];
  /** The command names: argv[0] basenames, lowercase, without `.exe`, plus commands run through
   *  wrappers (`sudo curl`, `xargs curl`, `find -exec curl`); unique, in order of appearance. */
  commands: string[];
  /** Some input or output was cut at a bound. */
  truncated: boolean;
}

/**
 * NFKC (full-width and styled letters), invisible characters and combining marks dropped, then
 * non-ASCII look-alikes of Latin letters and digits (Cyrillic `с`, Greek `ο`) folded to ASCII.
 * ASCII is never changed: `|` stays a pipe although the table lists it as a look-alike of `l`.
 */
export function foldUnicode(s: string): string {
  const n = s.normalize('NFKC');
  if (ASCII_ONLY.test(n)) return n;
  let out = '';
  for (const ch of dropInvisible(n)) out += ch.charCodeAt(0) < 0x80 ? ch : (confusablesMap.get(ch) ?? ch);
  return out;
}
const ASCII_ONLY = /^[\x00-\x7f]*$/;

export function normalizeShell(input: string | readonly string[]): ShellCommands {
  const out: ShellCommands = { argvs: [], commands: [], truncated: false };
  const st: State = { out, names: new Set(), vars: new Map(), outputChars: 0, braceWords: 0 };
  if (typeof input === 'string') {
    let text = input;
    if (text.length > MAX_SHELL_INPUT) {
      text = text.slice(0, MAX_SHELL_INPUT);
      out.truncated = true;
    }
    new Lexer(foldUnicode(text), st, 0).parseList(false);
  } else {
    const argv = input.slice(0, MAX_WORDS_PER_COMMAND).map((w) => foldUnicode(w.slice(0, MAX_SHELL_INPUT)));
    if (input.length > MAX_WORDS_PER_COMMAND || input.some((w) => w.length > MAX_SHELL_INPUT)) out.truncated = true;
    finishCommand(st, argv, 0);
  }
  return out;
}

/** The command names alone (see ShellCommands.commands). */
export function shellCommandNames(input: string | readonly string[]): string[] {
  return normalizeShell(input).commands;
}

interface State {
  out: ShellCommands;
  names: Set<string>;
  vars: Map<string, string>;
  outputChars: number;
  braceWords: number;
}

const BLANK = new Set([' ', '\t']);
const WORD_END = new Set([' ', '\t', '\n', '\r', ';', '&', '|', '<', '>', '(', ')']);
/** Commands whose `-c` option takes a script. */
const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'ash', 'mksh', 'fish', 'busybox', 'su', 'runuser']);
/** Commands that run their first non-option argument as a command. */
/** Their one-letter options that take a separate value (`sudo -u root curl`). */
const VALUE_OPTIONS: Record<string, string> = { sudo: 'ugCDhprtUT', doas: 'uC', env: 'uCS', timeout: 'sk', nice: 'n', ionice: 'cnt', xargs: 'ILnPsdEa', stdbuf: 'ioe', watch: 'nd', strace: 'oepsuEI', runuser: 'ugl', su: 'sl', chroot: '', exec: 'a' };
const WRAPPERS = new Set(['sudo', 'doas', 'env', 'nohup', 'nice', 'ionice', 'timeout', 'time', 'exec', 'command', 'builtin', 'xargs', 'stdbuf', 'setsid', 'chroot', 'watch', 'strace', 'ltrace', 'unbuffer', 'busybox', 'torsocks', 'proxychains', 'proxychains4', 'caffeinate', 'runuser', 'su']);
/** Reserved words that can stand before a command. */
const PREFIX_WORDS = new Set(['!', '{', '}', 'if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', 'time', 'coproc']);
/** Reserved words whose command line has no command name (`for x in a b`). */
const NO_COMMAND = new Set(['for', 'case', 'select', 'in', 'esac', 'function']);
const ASSIGNERS = new Set(['export', 'declare', 'local', 'typeset', 'readonly']);
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)\+?=(.*)$/s;

class Lexer {
  private i = 0;
  private readonly s: string;
  private readonly st: State;
  private readonly depth: number;
  constructor(s: string, st: State, depth: number) {
    this.s = s;
    this.st = st;
    this.depth = depth;
  }

  /** Parses commands until the end, or (inSubstitution) the `)` that closes `$(`; returns them. */
  parseList(inSubstitution: boolean): string[][] {
    const s = this.s;
    const found: string[][] = [];
    let argv: string[] = [];
    let redirectTarget = false;
    let parens = 0;
    const finish = () => {
      if (argv.length > 0) {
        found.push(argv);
        finishCommand(this.st, argv, this.depth);
      }
      argv = [];
      redirectTarget = false;
    };
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (BLANK.has(c)) {
        this.i++;
        continue;
      }
      if (c === '#') {
        while (this.i < s.length && s[this.i] !== '\n') this.i++;
        continue;
      }
      if (c === ';' || c === '&' || c === '|' || c === '\n' || c === '\r') {
        this.i++;
        finish();
        continue;
      }
      if (c === '(') {
        this.i++;
        parens++;
        finish();
        continue;
      }
      if (c === ')') {
        this.i++;
        finish();
        if (parens > 0) parens--;
        else if (inSubstitution) return found;
        continue;
      }
      if (c === '<' || c === '>') {
        // A bare fd number before the operator (2>) is not a word.
        const last = argv[argv.length - 1];
        if (last !== undefined && /^\d+$/.test(last) && this.i > 0 && /\d/.test(s[this.i - 1]!)) argv.pop();
        this.i++;
        if (s[this.i] === '(' && this.depth < MAX_DEPTH) {
          // Process substitution <(cmd): its commands run too.
          this.i++;
          this.subParse();
          continue;
        }
        while (this.i < s.length && (s[this.i] === '<' || s[this.i] === '>' || s[this.i] === '&' || s[this.i] === '|')) this.i++;
        redirectTarget = true;
        continue;
      }
      const { words, plainPrefix } = this.readWord();
      if (redirectTarget) {
        redirectTarget = false;
        continue;
      }
      if (argv.length === 0 && words.length === 1) {
        // name=value before the command is an assignment only if `name=` itself was not quoted.
        const m = ASSIGNMENT.exec(words[0]!);
        if (m && plainPrefix > m[1]!.length) {
          setVar(this.st, m[1]!, m[2]!);
          continue;
        }
      }
      for (const w of words) if (argv.length < MAX_WORDS_PER_COMMAND) argv.push(w);
    }
    finish();
    return found;
  }

  /** One shell word; unquoted $IFS or a variable holding blanks splits it, brace expansion multiplies it. */
  private readWord(): { words: string[]; plainPrefix: number } {
    const s = this.s;
    const w = new WordBuilder(this.st);
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (WORD_END.has(c)) break;
      if (c === '\\') {
        const next = s[this.i + 1];
        this.i += 2;
        if (next === undefined || next === '\n') continue;
        w.lit(next, true);
      } else if (c === "'") {
        const end = s.indexOf("'", this.i + 1);
        const stop = end < 0 ? s.length : end;
        w.lits(s.slice(this.i + 1, stop), true);
        this.i = stop + 1;
      } else if (c === '"') {
        this.i++;
        this.readDouble(w);
      } else this.readSubstitutionOr(w, c, false);
    }
    const plainPrefix = w.plainPrefix;
    return { words: w.done(), plainPrefix };
  }

  private readDouble(w: WordBuilder): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === '"') {
        this.i++;
        return;
      }
      if (c === '\\') {
        const next = s[this.i + 1];
        if (next !== undefined && '$`"\\\n'.includes(next)) {
          if (next !== '\n') w.lit(next, true);
          this.i += 2;
        } else {
          w.lit('\\', true);
          this.i++;
        }
      } else this.readSubstitutionOr(w, c, true);
    }
  }

  /** Backticks and `$` forms, else the character itself: alike outside and inside double quotes. */
  private readSubstitutionOr(w: WordBuilder, c: string, quoted: boolean): void {
    if (c === '`') {
      this.i++;
      w.lits(this.readBacktick(), true);
    } else if (c === '$') this.readDollar(w, quoted);
    else {
      w.lit(c, quoted);
      this.i++;
    }
  }

  /** At a `$`: ANSI-C quotes, substitutions, parameters. */
  private readDollar(w: WordBuilder, quoted: boolean): void {
    const s = this.s;
    const next = s[this.i + 1];
    if (next === "'" && !quoted) {
      this.i += 2;
      w.lits(this.readAnsiC(), true);
    } else if (next === '"' && !quoted) {
      this.i += 2;
      this.readDouble(w);
    } else if (next === '(' && s[this.i + 2] === '(') {
      // Arithmetic $((...)): no command in it; its value is a number we do not compute.
      this.i += 3;
      this.skipBalanced('(', ')', 2);
    } else if (next === '(') {
      this.i += 2;
      if (this.depth < MAX_DEPTH) w.lits(echoValue(this.subParse()), true);
      else this.skipBalanced('(', ')', 1);
    } else if (next === '{') {
      this.i += 2;
      const start = this.i;
      this.skipBalanced('{', '}', 1);
      const body = s.slice(start, this.i - 1);
      const name = /^[#!]?([A-Za-z_][A-Za-z0-9_]*)/.exec(body)?.[1];
      if (name === 'IFS') w.separator(quoted);
      else if (name !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(body)) w.value(this.st.vars.get(name) ?? '', quoted);
      // Other forms (${x:-y}, ${#x}, ${x/a/b}) expand to something we do not compute: nothing.
    } else if (next !== undefined && /[A-Za-z_]/.test(next)) {
      let j = this.i + 1;
      while (j < s.length && /[A-Za-z0-9_]/.test(s[j]!)) j++;
      const name = s.slice(this.i + 1, j);
      this.i = j;
      if (name === 'IFS') w.separator(quoted);
      else w.value(this.st.vars.get(name) ?? '', quoted);
    } else if (next !== undefined && /[0-9@*#?$!-]/.test(next)) {
      // Positional and special parameters: empty in an agent's one-off command ($9, $@ are padding).
      this.i += 2;
    } else {
      w.lit('$', quoted);
      this.i++;
    }
  }

  /** The body of $'...' with its escapes decoded; `this.i` is just past the opening quote. */
  private readAnsiC(): string {
    const s = this.s;
    let raw = '';
    while (this.i < s.length && s[this.i] !== "'") {
      if (s[this.i] === '\\' && this.i + 1 < s.length) {
        raw += s[this.i]! + s[this.i + 1]!;
        this.i += 2;
      } else raw += s[this.i++]!;
    }
    this.i++;
    return decodeEscapes(raw);
  }

  /** The output we can predict of a `...` body (echo/printf), parsing its commands once. */
  private readBacktick(): string {
    const s = this.s;
    let body = '';
    while (this.i < s.length && s[this.i] !== '`') {
      if (s[this.i] === '\\' && '`$\\'.includes(s[this.i + 1] ?? '')) {
        body += s[this.i + 1];
        this.i += 2;
      } else body += s[this.i++]!;
    }
    this.i++;
    if (this.depth >= MAX_DEPTH) return '';
    return echoValue(new Lexer(body, this.st, this.depth + 1).parseList(false));
  }

  /** Moves past the closer that balances `depth` already-open openers (quotes ignored). */
  private skipBalanced(open: string, close: string, depth: number): void {
    const s = this.s;
    while (this.i < s.length && depth > 0) {
      const c = s[this.i++]!;
      if (c === open) depth++;
      else if (c === close) depth--;
    }
  }

  /** `$(...)` and `<(...)`: parses the body where it stands, one level deeper; `this.i` is past the `(`. */
  private subParse(): string[][] {
    const inner = new Lexer(this.s, this.st, this.depth + 1);
    inner.i = this.i;
    const found = inner.parseList(true);
    this.i = inner.i;
    return found;
  }
}

const BRACE_SYNTAX = /[\\{},.]/g;

/** Accumulates one word, tracking which `{` `,` `}` were unquoted (only those brace-expand). */
class WordBuilder {
  private cur = '';
  private tpl = '';
  private braces = 0;
  private started = false;
  private readonly words: string[] = [];
  /** Characters of the first word added before anything quoted, escaped or expanded. */
  plainPrefix = Infinity;
  private readonly st: State;
  constructor(st: State) {
    this.st = st;
  }

  lit(ch: string, quoted: boolean): void {
    if (this.st.outputChars >= MAX_OUTPUT_CHARS) {
      this.st.out.truncated = true;
      return;
    }
    this.st.outputChars++;
    this.started = true;
    if (quoted && this.plainPrefix === Infinity && this.words.length === 0) this.plainPrefix = this.cur.length;
    this.cur += ch;
    if (quoted && '\\{},.'.includes(ch)) this.tpl += `\\${ch}`;
    else {
      if (ch === '{') this.braces++;
      this.tpl += ch;
    }
  }

  /** Appends a whole run at once (substitution output, a quoted span, a variable's value). */
  lits(text: string, quoted: boolean): void {
    this.started = true;
    if (text === '') return;
    const room = MAX_OUTPUT_CHARS - this.st.outputChars;
    if (room <= 0) {
      this.st.out.truncated = true;
      return;
    }
    if (text.length > room) {
      text = text.slice(0, room);
      this.st.out.truncated = true;
    }
    this.st.outputChars += text.length;
    if (quoted && this.plainPrefix === Infinity && this.words.length === 0) this.plainPrefix = this.cur.length;
    this.cur += text;
    if (quoted) this.tpl += text.replace(BRACE_SYNTAX, '\\$&');
    else {
      this.tpl += text;
      for (let k = text.indexOf('{'); k >= 0; k = text.indexOf('{', k + 1)) this.braces++;
    }
  }

  /** A variable's value: unquoted, its blanks split words and an empty value adds no word. */
  value(v: string, quoted: boolean): void {
    if (quoted) return this.lits(v, true);
    const parts = v.split(/[ \t\n]+/);
    for (let k = 0; k < parts.length; k++) {
      if (k > 0) this.separator(false);
      // Values do not brace-expand (bash expands braces first), hence `quoted` for the template.
      if (parts[k] !== '') this.lits(parts[k]!, true);
    }
  }

  /** Unquoted $IFS ends the word; quoted it is a blank inside it. */
  separator(quoted: boolean): void {
    if (quoted) return this.lit(' ', true);
    this.flush();
  }

  private flush(): void {
    if (this.started || this.cur !== '') {
      if (this.braces > 0 && this.braces <= MAX_BRACE_GROUPS && this.tpl.length <= MAX_BRACE_WORD && this.st.braceWords++ < MAX_BRACE_WORDS) {
        const expanded = expand(this.tpl, { max: MAX_BRACE_RESULTS, maxLength: MAX_BRACE_WORD * MAX_BRACE_RESULTS });
        if (expanded.length > 0) this.words.push(...expanded);
        else this.words.push(this.cur);
      } else this.words.push(this.cur);
    }
    this.cur = '';
    this.tpl = '';
    this.braces = 0;
    this.started = false;
  }

  done(): string[] {
    this.flush();
    return this.words;
  }
}

function setVar(st: State, name: string, value: string): void {
  if (st.vars.size >= MAX_VARS && !st.vars.has(name)) return;
  st.vars.set(name, value.slice(0, MAX_VAR_VALUE));
}

/**
 * What a substitution prints, when it is a lone echo or printf, or one piped into a decoder
 * (`echo Y3VybA== | base64 -d`, `printf 6375726c | xxd -r -p`): the decoded text; '' otherwise.
 */
function echoValue(argvs: readonly string[][]): string {
  if (argvs.length === 2) {
    const text = echoValue([argvs[0]!]).trim();
    const decoder = argvs[1]!;
    const name = commandName(decoder[0] ?? '');
    const flags = decoder.slice(1).join(' ');
    if (name === 'base64' && /(^|\s)(-d|-D|--decode)\b/.test(flags) && /^[A-Za-z0-9+/=_-]+$/.test(text)) return Buffer.from(text, 'base64').toString('latin1');
    if (name === 'xxd' && /-r/.test(flags) && /-p/.test(flags) && /^(?:[0-9a-fA-F]{2})+$/.test(text)) return Buffer.from(text, 'hex').toString('latin1');
    return '';
  }
  if (argvs.length !== 1) return '';
  const argv = argvs[0]!;
  const name = commandName(argv[0] ?? '');
  if (name === 'echo') {
    let k = 1;
    let escapes = false;
    while (k < argv.length && /^-[neE]+$/.test(argv[k]!)) escapes ||= argv[k++]!.includes('e');
    const text = argv.slice(k).join(' ');
    return escapes ? decodeEscapes(text) : text;
  }
  if (name === 'printf' && argv.length > 1) {
    const args = argv.slice(2);
    return decodeEscapes(argv[1]!).replace(/%[sbd]/g, () => args.shift() ?? '');
  }
  return '';
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v', '\\': '\\', "'": "'", '"': '"', '?': '?' };

/** Backslash escapes of $'...', printf and echo -e: \xHH, \NNN (octal), \uHHHH, \UHHHHHHHH, \n... */
export function decodeEscapes(raw: string): string {
  return raw.replace(/\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|0?[0-7]{1,3}|c.|.)/gs, (m, e: string) => {
    const k = e[0]!;
    if (k === 'x' || k === 'u' || k === 'U') return codePoint(parseInt(e.slice(1), 16)) ?? m;
    if (k >= '0' && k <= '7') return codePoint(parseInt(e, 8) & 0xff) ?? m;
    if (k === 'c') return String.fromCharCode(e.charCodeAt(1) & 0x1f);
    return SIMPLE_ESCAPES[k] ?? m;
  });
}

function codePoint(n: number): string | undefined {
  return Number.isFinite(n) && n <= 0x10ffff ? String.fromCodePoint(n) : undefined;
}

/** The basename of a command word, lowercase, without a Windows `.exe`. */
export function commandName(word: string): string {
  const base = word.slice(Math.max(word.lastIndexOf('/'), word.lastIndexOf('\\')) + 1).toLowerCase();
  return base.endsWith('.exe') ? base.slice(0, -4) : base;
}

function addName(st: State, word: string | undefined): void {
  if (word === undefined) return;
  const name = commandName(word);
  if (name === '' || st.names.has(name)) return;
  st.names.add(name);
  st.out.commands.push(name);
}

/** Records a simple command: its name, wrapped commands, `sh -c` and `eval` bodies, assignments. */
function finishCommand(st: State, argv: string[], depth: number): void {
  let k = 0;
  while (k < argv.length && PREFIX_WORDS.has(argv[k]!)) k++;
  if (k >= argv.length || NO_COMMAND.has(argv[k]!)) return;
  if (st.out.argvs.length >= MAX_COMMANDS) {
    st.out.truncated = true;
    return;
  }
  const words = k > 0 ? argv.slice(k) : argv;
  st.out.argvs.push(words);
  for (let j = 0; j < words.length; ) {
    const name = commandName(words[j]!);
    addName(st, words[j]);
    if (ASSIGNERS.has(name)) {
      for (const a of words.slice(j + 1)) {
        const m = ASSIGNMENT.exec(a);
        if (m) setVar(st, m[1]!, m[2]!);
      }
      return;
    }
    if (SHELLS.has(name) || name === 'eval') {
      const script = name === 'eval' ? words.slice(j + 1).join(' ') : shellScript(words, j);
      if (script !== undefined && depth < MAX_DEPTH) new Lexer(script, st, depth + 1).parseList(false);
      if (name === 'eval' || script !== undefined) return;
    }
    if (name === 'find') {
      const e = words.findIndex((w, x) => x > j && /^-(exec|execdir|ok|okdir)$/.test(w));
      if (e < 0) return;
      j = e + 1;
      continue;
    }
    if (!WRAPPERS.has(name)) return;
    j = wrappedCommand(words, j + 1, VALUE_OPTIONS[name] ?? '');
  }
}

/** The script of `sh -c 'script'` (also -lc, -xc); undefined when the shell reads a file or stdin. */
function shellScript(words: readonly string[], j: number): string | undefined {
  for (let x = j + 1; x < words.length; x++) {
    const w = words[x]!;
    if (!w.startsWith('-')) return undefined;
    if (/^-[a-z]*c[a-z]*$/i.test(w)) return words[x + 1];
  }
  return undefined;
}

/** Index of the command a wrapper runs: past options (and their values), assignments, durations. */
function wrappedCommand(words: readonly string[], from: number, valueOptions: string): number {
  let x = from;
  while (x < words.length) {
    const w = words[x]!;
    if (w.length === 2 && w[0] === '-' && valueOptions.includes(w[1]!)) x += 2;
    else if (w.startsWith('-') || ASSIGNMENT.test(w) || /^\d+(\.\d+)?[smhd]?$/.test(w)) x++;
    else break;
  }
  return x;
}
