/**
 * leafIndexMap: the leaf element each downstream element reads, which the search's mutations redraw (through
 * broadcasts, copies and reduction lanes, where the flat index of the offending element is not the leaf's).
 */
import { describe, expect, it } from 'vitest';
import type { Graph, TensorType } from '../../../src/ir/index.js';
import { leafIndexMap } from '../../../src/search/influence.js';
import { chain, f32 } from '../../helpers/chain.js';

function typesOf(g: Graph): Map<string, TensorType> {
  return new Map([...g.inputs, ...g.initializers, ...g.valueInfo, ...g.outputs].map((t) => [t.name, t]));
}

describe('leaf index maps', () => {
  it('follow a broadcast operand, a transpose and a reduction lane back to the leaf element each element reads', () => {
    const g = chain(
      [{ name: 'b', ...f32([4, 8]) }, { name: 'e', ...f32([4, 1]) }],
      [
        { op: 'Pow', ins: ['b', 'e'], out: 'p' },
        { op: 'Transpose', ins: ['p'], out: 't', attrs: { perm: [1, 0] } },
        { op: 'ReduceSum', ins: ['p', 'ax'], out: 'r', attrs: { keepdims: 0 } },
      ],
      [4, 8],
      { t: f32([8, 4]), r: f32([4]) },
      [{ name: 'ax', dtype: 'int64', shape: [1], kind: 'constant', data: [1] }],
    );
    const types = typesOf(g);
    // p[r, c] reads e[r]: flat index k = 8r + c reads element r (1-based in the map)
    const pe = leafIndexMap(g, types, 'e', 'p')!;
    expect(Array.from(pe)).toEqual(Array.from({ length: 32 }, (_, k) => Math.floor(k / 8) + 1));
    // t[c, r] = p[r, c]: reads b[r, c]
    const tb = leafIndexMap(g, types, 'b', 't')!;
    expect(Array.from(tb)).toEqual(Array.from({ length: 32 }, (_, k) => (k % 4) * 8 + Math.floor(k / 4) + 1));
    // r[i] sums row i of p: the row's first element of b
    expect(Array.from(leafIndexMap(g, types, 'b', 'r')!)).toEqual([1, 9, 17, 25]);
    // a tensor that does not read the leaf
    expect(leafIndexMap(g, types, 'e', 'b')).toBeUndefined();
  });
});
