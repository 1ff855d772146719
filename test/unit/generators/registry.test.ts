import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPS } from '../../../generators/ops/index.js';
import type { OpSpec } from '../../../generators/ops/spec.js';

const opsDir = join(import.meta.dirname, '../../../generators/ops');

function isSpec(v: unknown): v is OpSpec {
  return typeof v === 'object' && v !== null && 'onnx' in v && 'reference' in v && 'build' in v;
}

describe('operator registry', () => {
  it('registers every operator spec exported by a file under generators/ops', async () => {
    const registered = new Set(OPS);
    const missing: string[] = [];
    for (const f of readdirSync(opsDir).filter((f) => f.endsWith('.ts'))) {
      const mod = (await import(join(opsDir, f))) as Record<string, unknown>;
      for (const [k, v] of Object.entries(mod)) {
        const specs = Array.isArray(v) ? v.filter(isSpec) : isSpec(v) ? [v] : [];
        for (const s of specs) if (!registered.has(s)) missing.push(`${f}: ${k} (${s.onnx})`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('holds at least 50 distinct ONNX operators with unique names', () => {
    const names = OPS.map((o) => o.onnx);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeGreaterThanOrEqual(50);
  });

  it('declares every dtype it generates as one onnxsmith knows, and a valid rank range', () => {
    for (const op of OPS) {
      expect(op.dtypes.length, op.onnx).toBeGreaterThan(0);
      expect(op.ranks[0] <= op.ranks[1], op.onnx).toBe(true);
      expect(op.since <= 18, `${op.onnx} since ${op.since}`).toBe(true);
    }
  });
});
