import { describe, expect, it } from 'vitest';
import { bucketKey, bucketSlug, normaliseError, opInError } from '../../../src/campaign/bucket.js';

describe('bucket keys', () => {
  it('give the same key to the same error seen on different nodes, shapes and paths', () => {
    const a = "Non-zero status code returned while running Div node. Name:'n3' Status Message: /onnxruntime_src/core/div.cc:42 shape {2,3} mismatch";
    const b = "Non-zero status code returned while running Div node. Name:'n17' Status Message: /onnxruntime_src/core/div.cc:57 shape {4,1} mismatch";
    expect(normaliseError(a)).toBe(normaliseError(b));
    const key = (message: string): string => bucketKey({ culprit: 'ort-node-cpu', symptom: 'run-error', stage: 'run', message });
    expect(key(a)).toBe(key(b));
    expect(key(a)).toContain('|Div:');
  });

  it('name the operator an error message mentions', () => {
    expect(opInError('Non-zero status code returned while running ReduceSum node.')).toBe('ReduceSum');
    expect(opInError('Could not find an implementation for Cos(7) node with name')).toBe('Cos');
    expect(opInError('Failed to find kernel for com.microsoft.QuickGelu(1) (node:QuickGelu_1)')).toBe('QuickGelu');
    expect(opInError('worker died (SIGFPE)')).toBeUndefined();
  });

  it('key wrong values by the first divergent operator and dtype, not by the message', () => {
    const k1 = bucketKey({ culprit: 'tfjs-wasm', symptom: 'wrong-value', stage: 'run', op: 'Clip', dtype: 'float32', message: 'element 0: 1 vs 2' });
    const k2 = bucketKey({ culprit: 'tfjs-wasm', symptom: 'wrong-value', stage: 'run', op: 'Clip', dtype: 'float32', message: 'element 7: 3 vs 9' });
    expect(k1).toBe(k2);
    expect(k1).not.toBe(bucketKey({ culprit: 'tfjs-wasm', symptom: 'wrong-value', stage: 'run', op: 'Clip', dtype: 'int32' }));
    expect(bucketSlug(k1, 'abcdef0123')).toMatch(/^tfjs-wasm-wrong-value-Clip-abcdef01$/);
  });
});
