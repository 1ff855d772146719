import { describe, expect, it } from 'vitest';
import { backendBase, ruleOf } from '../../../src/gate/rules.js';
import type { Hit } from '../../../src/triage/evaluate.js';

const hit = (culprit: string, over: Partial<Hit> = {}): Hit => ({
  key: 'unused',
  slug: 'unused',
  culprit,
  symptom: 'wrong-value',
  observed: 'wrong-value',
  stage: 'run',
  op: 'ConvTranspose',
  dtype: 'float32',
  typeIsCause: true,
  detail: "output 'y': 3 element(s) off",
  ...over,
});

describe('rule ids', () => {
  it('drop the version, so both sides of a comparison share a rule', () => {
    expect(backendBase('ort-node-cpu@1.12.1')).toBe('ort-node-cpu');
    expect(backendBase('ort-node-cpu-noopt')).toBe('ort-node-cpu-noopt');
    const a = ruleOf(hit('ort-node-cpu@1.12.1'));
    expect(a).toEqual(ruleOf(hit('ort-node-cpu@1.30.0')));
    expect(a.id).toMatch(/^wrong-value\/ConvTranspose\/[0-9a-f]{8}$/);
    expect(a).toMatchObject({ name: 'ConvTransposeWrongValue', backend: 'ort-node-cpu', key: 'ort-node-cpu|wrong-value|run|ConvTranspose:float32' });
  });

  it('separate backends, symptoms and the dtypes that cause a bug', () => {
    const ids = new Set([hit('ort-node-cpu@1.12.1'), hit('ort-web-wasm@1.12.1'), hit('ort-node-cpu', { dtype: 'float64' }), hit('ort-node-cpu', { symptom: 'shape' })].map((h) => ruleOf(h).id));
    expect(ids.size).toBe(4);
  });

  it('join NaN/Inf with wrong values, and both types of a bug that shows on either', () => {
    expect(ruleOf(hit('ort-node-cpu', { symptom: 'nan-inf' })).key).toBe(ruleOf(hit('ort-node-cpu')).key);
    const untyped = (dtype: string): Hit => hit('ort-node-cpu', { dtype, typeIsCause: false });
    expect(ruleOf(untyped('float32')).key).toBe(ruleOf(untyped('float64')).key);
    expect(ruleOf(untyped('float32')).key).toBe('ort-node-cpu|wrong-value|run|ConvTranspose');
  });

  it('take an error rule from the normalised message, so node names do not matter', () => {
    const err = (name: string): Hit => hit('ort-node-cpu', { symptom: 'run-error', op: undefined, dtype: undefined, detail: `Non-zero status code returned while running ReduceSum node. Name:'${name}' Status Message: axes_tensor != nullptr was false.` });
    expect(ruleOf(err('n1')).id).toBe(ruleOf(err('sum')).id);
    expect(ruleOf(err('n1')).id).toMatch(/^run-error\/ReduceSum\//);
  });

  it('ignore the stderr lines a crashed worker left behind', () => {
    const crash = (tail: string): Hit => hit('ort-node-cpu', { symptom: 'crash', op: undefined, dtype: undefined, detail: `SIGFPE: worker died (SIGFPE)${tail}` });
    expect(ruleOf(crash(': [W:onnxruntime] ConvTranspose warning from an earlier case')).id).toBe(ruleOf(crash('')).id);
    expect(ruleOf(crash('')).name).toBe('Crash');
  });
});
