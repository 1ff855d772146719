/**
 * A backend name is read in src/backends/names.ts only. Each rule below is a way the code base used to take a
 * name apart by hand (each had its own idea of where a version starts, or whether a path may hold '@'); the scan
 * fails on any of them outside names.ts, naming the file and line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const SCANNED = ['src', 'oracles', 'generators', 'bench'];
const HOME = 'src/backends/names.ts';

/** Each rule with a line of the code it was written against, so a rule that no longer matches anything fails too. */
const RULES: readonly { readonly what: string; readonly re: RegExp; readonly caught: string }[] = [
  { what: "splits a name at '@'", re: /\.(?:split|indexOf|lastIndexOf|includes)\(\s*['"`]@['"`]\s*\)/, caught: "const base = backend.split('@')[0]!;" },
  { what: "strips '@version' with a regex", re: /\.replace\(\s*\/@/, caught: "const base = r.culprit.replace(/@[^@/]*$/, '');" },
  { what: 'tests for command:/module: by hand', re: /startsWith\(\s*['"`](?:command|module):|['"`](?:command|module):['"`]\.length|\(command\|module\)/, caught: "if (/^(command|module):/.test(culprit)) return" },
  { what: 'tells a backend by its name prefix', re: /startsWith\(\s*['"`](?:ort-node-|ort-web-|tfjs-)/, caught: "if (culprit.startsWith('ort-node-')) return" },
  { what: 'looks a name up in a flavour table', re: /\bin (?:ORT_NODE|TFJS)_FLAVOURS\b/, caught: 'if (base in ORT_NODE_FLAVOURS) {' },
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(p);
    return /\.(?:ts|mts|mjs)$/.test(e.name) ? [p] : [];
  });
}

/** Lines of code, without comments (which may well spell out `ort-node-cpu@1.12.1`). */
function codeLines(text: string): [number, string][] {
  return text
    .split('\n')
    .map((line, i): [number, string] => [i + 1, line.replace(/^\s*(?:\/\/|\/?\*).*$/, '').replace(/\s\/\/ .*$/, '')])
    .filter(([, line]) => line.trim() !== '');
}

describe('backend names are parsed in one place', () => {
  it('each rule catches the code it was written against', () => {
    for (const r of RULES) expect(r.re.test(r.caught), r.what).toBe(true);
  });

  it(`no file outside ${HOME} takes a backend name apart`, () => {
    const files = SCANNED.flatMap((d) => sources(join(ROOT, d)));
    expect(files.length).toBeGreaterThan(100);
    const offences: string[] = [];
    for (const f of files) {
      const rel = relative(ROOT, f).replaceAll('\\', '/');
      if (rel === HOME) continue;
      for (const [n, line] of codeLines(readFileSync(f, 'utf8'))) {
        for (const r of RULES) if (r.re.test(line)) offences.push(`${rel}:${n} ${r.what}: ${line.trim()} (use src/backends/names.ts)`);
      }
    }
    expect(offences).toEqual([]);
  });
});
