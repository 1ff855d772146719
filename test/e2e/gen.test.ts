import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onnxsmith } from '../helpers/cli.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'onnxsmith-gen-'));
}

function readAll(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const d of readdirSync(dir).sort()) {
    for (const f of readdirSync(join(dir, d)).sort()) out.set(`${d}/${f}`, readFileSync(join(dir, d, f)));
  }
  return out;
}

describe('onnxsmith gen', () => {
  it('writes identical bytes for the same seed and different graphs for different seeds', () => {
    const [a, b, c] = [tmp(), tmp(), tmp()];
    for (const [dir, seed] of [[a, '11'], [b, '11'], [c, '12']] as const) {
      const r = onnxsmith(['gen', '--count', '20', '--seed', seed, '--nodes', '10', '--out', join(dir, 'out')]);
      expect(r.code, r.stderr).toBe(0);
    }
    const [fa, fb, fc] = [readAll(join(a, 'out')), readAll(join(b, 'out')), readAll(join(c, 'out'))];
    expect(fa.size).toBe(40);
    expect([...fa.keys()]).toEqual([...fb.keys()]);
    for (const [k, v] of fa) expect(v.equals(fb.get(k)!), k).toBe(true);
    const differ = [...fa.keys()].filter((k) => k.endsWith('model.onnx') && !fa.get(k)!.equals(fc.get(k)!));
    expect(differ.length).toBe(20);
  });

  it('writes graph.json with the seed that regenerates the model', () => {
    const dir = tmp();
    expect(onnxsmith(['gen', '-n', '1', '-s', '5', '-o', join(dir, 'o')]).code).toBe(0);
    const meta = JSON.parse(readFileSync(join(dir, 'o/000000/graph.json'), 'utf8')) as { generator: { seed: number }; graph: { nodes: unknown[] } };
    expect(meta.generator.seed).toBe(5);
    expect(meta.graph.nodes.length).toBeGreaterThan(0);
  });

  it.each([
    [['gen', '--nodes', '0', '-o', 'x'], /--nodes must be an integer from 1/],
    [['gen', '--include', 'Conv2D', '-o', 'x'], /unknown operator 'Conv2D' \(known: /],
    [['gen', '-o', '/no/such/parent/out'], /parent folder \/no\/such\/parent does not exist/],
    [['gen', '--count', 'ten', '-o', 'x'], /--count must be an integer/],
    [['gen', '--frobnicate', '-o', 'x'], /unknown option '--frobnicate'/],
  ])('rejects %j with exit code 2 and no stack trace', (args, message) => {
    const r = onnxsmith(args, { cwd: tmp() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('onnxsmith ops', () => {
  it('lists every operator with its dtypes, as text and JSON', () => {
    const j = onnxsmith(['ops', '--json']);
    expect(j.code).toBe(0);
    const rows = JSON.parse(j.stdout) as { op: string; dtypes: string[] }[];
    expect(rows.find((r) => r.op === 'Add')?.dtypes).toContain('float32');
    const t = onnxsmith(['ops']);
    expect(t.stdout).toMatch(new RegExp(`${rows.length} operators`));
  });
});
