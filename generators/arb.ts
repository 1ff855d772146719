/**
 * Shared fast-check building blocks for operator specs. Everything here is constructive: values are built to be
 * valid from the start, never generated and filtered.
 */
import * as fc from 'fast-check';
import type { DType, TensorType } from '../src/ir/index.js';
import { numel } from '../src/ir/index.js';

/** Largest single dimension the generator draws. */
export const MAX_DIM = 8;

/** Clamps dims (from the last one) so that their product stays within `maxElems`; dims stay >= 1. */
export function clampDims(dims: readonly number[], maxElems: number): number[] {
  const out = [...dims];
  let budget = Math.max(1, maxElems);
  for (let i = 0; i < out.length; i++) {
    const d = Math.max(1, Math.min(out[i]!, Math.floor(budget)));
    out[i] = d;
    budget = budget / d;
  }
  return out;
}

/** A shape of rank in [minRank, maxRank] with at most `maxElems` elements and dims in [minDim, maxDim]. */
export function shapeArb(
  minRank: number,
  maxRank: number,
  maxElems: number,
  minDim = 1,
  maxDim = MAX_DIM,
): fc.Arbitrary<number[]> {
  return fc
    .integer({ min: minRank, max: maxRank })
    .chain((rank) => fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: rank, maxLength: rank }))
    .map((dims) => {
      const c = clampDims(dims, maxElems);
      // clamping may break a lower bound only when maxElems is smaller than minDim^rank; keep minDim then
      return c.map((d) => Math.max(d, Math.min(minDim, maxDim)));
    });
}

/**
 * A shape that broadcasts with `shape` (multidirectional): leading dims may be dropped, dims may become 1,
 * and dims of size 1 in `shape` may grow; the broadcast result stays within `maxElems`.
 */
export function broadcastPartnerArb(shape: readonly number[], maxElems: number): fc.Arbitrary<number[]> {
  const rank = shape.length;
  return fc
    .record({
      drop: fc.integer({ min: 0, max: rank }),
      extra: fc.integer({ min: 0, max: rank < 4 ? 1 : 0 }),
      ops: fc.array(fc.constantFrom('same', 'same', 'one', 'grow'), { minLength: rank, maxLength: rank }),
      grow: fc.array(fc.integer({ min: 2, max: 4 }), { minLength: rank + 1, maxLength: rank + 1 }),
    })
    .map(({ drop, extra, ops, grow }) => {
      let budget = maxElems / Math.max(1, numel(shape));
      const out: number[] = [];
      if (extra === 1 && drop === 0) {
        const g = Math.min(grow[rank]!, Math.floor(budget));
        out.push(Math.max(1, g));
        budget /= Math.max(1, g);
      }
      for (let i = drop; i < rank; i++) {
        const d = shape[i]!;
        const op = ops[i]!;
        if (op === 'one') out.push(1);
        else if (op === 'grow' && d === 1 && budget >= 2) {
          const g = Math.min(grow[i]!, Math.floor(budget));
          out.push(g);
          budget /= g;
        } else out.push(d);
      }
      return out;
    });
}

/** An axis for a tensor of the given rank, negative forms included. */
export function axisArb(rank: number): fc.Arbitrary<number> {
  if (rank === 0) throw new Error('axisArb: rank 0 has no axis');
  return fc.integer({ min: -rank, max: rank - 1 });
}

/** Element types from `wanted` that the context allows (order kept). */
export function allowed(wanted: readonly DType[], ctxDtypes: readonly DType[]): DType[] {
  return wanted.filter((d) => ctxDtypes.includes(d));
}

/** A tensor type with one of `dtypes` and a shape drawn by `shapeArb`. */
export function tensorTypeArb(
  dtypes: readonly DType[],
  minRank: number,
  maxRank: number,
  maxElems: number,
): fc.Arbitrary<TensorType> {
  if (dtypes.length === 0) throw new Error('tensorTypeArb: no dtype allowed');
  return fc.record({ dtype: fc.constantFrom(...dtypes), shape: shapeArb(minRank, maxRank, maxElems) });
}

/** A float attribute value: mostly in [min, max], sometimes an edge of the range. */
export function floatAttrArb(min: number, max: number, edges: readonly number[] = []): fc.Arbitrary<number> {
  // an even grid over [min, max]: fc.double spreads over representable doubles, so most draws would be tiny
  // and round to 0 in float32
  const steps = 1 << 20;
  const inner = fc.integer({ min: 0, max: steps }).map((i) => Math.fround(min + ((max - min) * i) / steps));
  const e = [min, max, ...edges].map((x) => Math.fround(x));
  return fc.oneof({ weight: 4, arbitrary: inner }, { weight: 1, arbitrary: fc.constantFrom(...e) });
}
