import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { OPS } from '../../../generators/ops/index.js';
import { ARITY } from '../../../src/onnx/opset.js';
import { mutateModel } from '../../../src/onnx/mutate.js';
import { modelWith } from '../../helpers/models.js';
import { printable } from '../../../src/util/printable.js';

const { onnx } = onnxProto;

describe('mutateModel', () => {
  const base = modelWith(['Add', 'Relu']);

  it('is deterministic from its seed', () => {
    for (let s = 0; s < 50; s++) {
      const a = mutateModel(base, s, { locations: ['/secret'] });
      const b = mutateModel(base, s, { locations: ['/secret'] });
      expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
      expect(a.applied).toEqual(b.applied);
    }
  });

  it('changes the model, mostly leaving it decodable, and never throws (even on bytes that are no model)', () => {
    let changed = 0;
    let decodes = 0;
    let external = 0;
    for (let s = 0; s < 400; s++) {
      const m = mutateModel(base, s, { locations: ['/secret/canary.bin'] });
      expect(m.applied.length).toBeGreaterThan(0);
      if (!Buffer.from(m.bytes).equals(Buffer.from(base))) changed++;
      try {
        onnx.ModelProto.decode(m.bytes);
        decodes++;
      } catch {
        // byte-level damage
      }
      if (m.applied.some((a) => a.includes('/secret/canary.bin'))) external++;
    }
    expect(changed).toBeGreaterThan(380);
    expect(decodes).toBeGreaterThan(200);
    expect(external).toBeGreaterThan(5);
    for (let s = 0; s < 50; s++) expect(() => mutateModel(new TextEncoder().encode('not a model'), s)).not.toThrow();
  });
});

describe('operator arity table', () => {
  it('has input and output counts for every operator onnxsmith implements', () => {
    const missing = OPS.map((o) => o.onnx).filter((op) => !ARITY.has(op));
    expect(missing).toEqual([]);
  });
});

describe('printable', () => {
  it('escapes control characters, line separators and bidi overrides, and is idempotent', () => {
    const s = 'a\nb\r\t\u001b[31m\u0000\u007f\u0085\u2028\u202e';
    const p = printable(s);
    expect(p).toBe('a\\nb\\r\\t\\x1b[31m\\x00\\x7f\\x85\\u2028\\u202e');
    expect(printable(p)).toBe(p);
    expect(printable('plain name_1/x:0')).toBe('plain name_1/x:0');
  });
});
