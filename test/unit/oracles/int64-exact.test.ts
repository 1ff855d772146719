import { describe, expect, it } from 'vitest';
import { compareTensor } from '../../../oracles/closeness.js';
import { toleranceFor } from '../../../oracles/tolerance.js';
import { int64Tensor, tensor } from '../../../src/ir/index.js';

const t = (...v: bigint[]) => int64Tensor([v.length], BigInt64Array.from(v));
const TOL = toleranceFor('int64');
const BIG = 2n ** 53n + 1n;

describe('int64 closeness beyond 2^53', () => {
  it('flags a difference of 1 that float64 cannot see', () => {
    const c = compareTensor('y', t(BIG, 3n), t(BIG + 1n, 3n), TOL);
    expect(c.verdict).toBe('mismatch');
    expect(c.badElements).toBe(1);
    expect(c.maxAbs).toBe(1);
    expect(c.firstBad).toMatchObject({ index: 0, exact: { expected: '9007199254740993', actual: '9007199254740994' } });
  });

  it('flags an exact value against the float64 one it rounds to (only one side exact)', () => {
    const c = compareTensor('y', t(2n ** 62n + 1n), tensor('int64', [1], [2 ** 62]), TOL);
    expect(c.verdict).toBe('mismatch');
  });

  it('passes equal values, with or without the companion on either side', () => {
    expect(compareTensor('y', t(BIG, -(2n ** 63n), 2n ** 63n - 1n), t(BIG, -(2n ** 63n), 2n ** 63n - 1n), TOL).verdict).toBe('match');
    expect(compareTensor('y', t(2n ** 60n, 5n), tensor('int64', [2], [2 ** 60, 5]), TOL).verdict).toBe('match');
  });
});
