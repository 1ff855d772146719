/** Expand and Tile: growing a tensor by broadcasting and by repetition. Type-agnostic. */
import * as fc from 'fast-check';
import type { Tensor } from '../../src/ir/index.js';
import { DTYPES, broadcastIndex, broadcastShapes, numel } from '../../src/ir/index.js';
import { gatherAxes } from './slice.js';
import type { InferInput, Instance, Operand, OpSpec } from './spec.js';
import { defineOp, passRange } from './spec.js';

function constInts(t: InferInput | Tensor | undefined): number[] | undefined {
  const d = (t as { data?: ArrayLike<number> } | undefined)?.data;
  return d === undefined ? undefined : Array.from(d);
}

function int64(data: readonly number[]): Operand {
  return { kind: 'const', dtype: 'int64', shape: [data.length], data: [...data] };
}

/** The 1-D int64 constant an operator reads its geometry from, or a message. */
function geometry(t: InferInput | Tensor | undefined, op: string, what: string): number[] | string {
  if (!t) return `${op}: missing ${what}`;
  if (t.dtype !== 'int64' || t.shape.length !== 1) return `${op}: ${what} must be a 1-D int64 tensor`;
  return constInts(t) ?? `${op}: ${what} must be a constant`;
}

// ---------------------------------------------------------------------------------------------------------------
// Expand

function expandShape(inShape: readonly number[], target: readonly number[]): number[] | string {
  if (target.some((d) => d < 0 || !Number.isInteger(d))) return `Expand: bad target [${target.join(',')}]`;
  return broadcastShapes(inShape, target) ?? `Expand: [${inShape.join(',')}] does not broadcast with [${target.join(',')}]`;
}

export const Expand = defineOp({
  // moves or selects input values: the output stays within their bounds
  range: passRange(),
  onnx: 'Expand',
  exact: true,
  since: 13,
  dtypes: DTYPES,
  ranks: [0, 5],
  attributes: {},
  accepts: (anchor, ctx) => anchor.shape.length <= ctx.maxElems,
  build(anchor, ctx) {
    const r = anchor.shape.length;
    return fc
      .record({
        lead: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: Math.max(0, Math.min(2, 5 - r, ctx.maxElems - r)) }),
        drop: fc.integer({ min: 0, max: r }),
        ops: fc.array(fc.constantFrom('keep', 'keep', 'one', 'grow'), { minLength: r, maxLength: r }),
        grow: fc.array(fc.integer({ min: 2, max: 4 }), { minLength: r, maxLength: r }),
      })
      .map(({ lead, drop, ops, grow }): Instance => {
        // bidirectional: a 1 in the target keeps the input's dim, a missing leading entry keeps it too
        let budget = ctx.maxElems / Math.max(1, numel(anchor.shape));
        const target: number[] = [];
        for (const g of lead) {
          const v = Math.min(g, Math.floor(budget));
          if (v < 1) break;
          target.push(v);
          budget /= v;
        }
        const skip = target.length > 0 ? 0 : drop;
        for (let i = skip; i < r; i++) {
          const d = anchor.shape[i]!;
          if (ops[i] === 'one') target.push(1);
          else if (ops[i] === 'grow' && d === 1 && budget >= 2) {
            const g = Math.min(grow[i]!, Math.floor(budget));
            target.push(g);
            budget /= g;
          } else target.push(d);
        }
        return { inputs: [{ kind: 'anchor' }, int64(target)], attrs: {} };
      });
  },
  backward(out) {
    const r = out.shape.length;
    return fc
      .record({
        drop: fc.integer({ min: 0, max: r }),
        ones: fc.array(fc.boolean(), { minLength: r, maxLength: r }),
        said: fc.array(fc.boolean(), { minLength: r, maxLength: r }),
      })
      .map(({ drop, ones, said }): Instance => {
        const inShape = out.shape.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d));
        // where the input already has the output's dim, the target may say 1 instead
        const target = out.shape.map((d, i) => (i >= drop && inShape[i - drop] === d && said[i] ? 1 : d));
        return { inputs: [{ kind: 'tensor', type: { dtype: out.dtype, shape: inShape } }, int64(target)], attrs: {} };
      });
  },
  // the output type is the bidirectional broadcast of the input and the target
  tfjs: {
    lower(tf, inputs, _attrs, ctx) {
      const x = inputs[0]!;
      const shape = [...ctx.outputTypes[0]!.shape];
      // tf.broadcastTo runs the Tile kernel, whose gradient tfjs lacks above rank 4 (the input search
      // differentiates float32 lowerings): a multiply by ones broadcasts the same values there
      if (shape.length > 4 && x.dtype === 'float32') return [tf.mul(x, tf.ones(shape))];
      return [tf.broadcastTo(x, shape)];
    },
  },
  infer(inputs) {
    const x = inputs[0];
    if (!x) return 'Expand: missing input';
    const target = geometry(inputs[1], 'Expand', 'shape');
    if (typeof target === 'string') return target;
    const shape = expandShape(x.shape, target);
    return typeof shape === 'string' ? shape : [{ dtype: x.dtype, shape }];
  },
  reference(inputs) {
    const x = inputs[0]!;
    const shape = expandShape(x.shape, Array.from(inputs[1]!.data));
    if (typeof shape === 'string') throw new Error(shape);
    const idx = broadcastIndex(x.shape, shape);
    const out = new Float64Array(idx.length);
    for (let k = 0; k < idx.length; k++) out[k] = x.data[idx[k]!]!;
    return [{ dtype: x.dtype, shape, data: out }];
  },
});

// ---------------------------------------------------------------------------------------------------------------
// Tile

function tileShape(inShape: readonly number[], repeats: readonly number[]): number[] | string {
  if (repeats.length !== inShape.length) return `Tile: ${repeats.length} repeats for rank ${inShape.length}`;
  if (repeats.some((v) => v < 0 || !Number.isInteger(v))) return `Tile: bad repeats [${repeats.join(',')}]`;
  return inShape.map((d, i) => d * repeats[i]!);
}

export const Tile = defineOp({
  // moves or selects input values: the output stays within their bounds
  range: passRange(),
  onnx: 'Tile',
  exact: true,
  since: 13,
  dtypes: DTYPES,
  ranks: [1, 5],
  attributes: {},
  accepts: (anchor, ctx) => anchor.shape.length <= ctx.maxElems,
  build(anchor, ctx) {
    const r = anchor.shape.length;
    return fc
      .array(fc.constantFrom(1, 1, 2, 3, 4), { minLength: r, maxLength: r })
      .map((draw): Instance => {
        let budget = ctx.maxElems / Math.max(1, numel(anchor.shape));
        const repeats = draw.map((v) => {
          const k = Math.max(1, Math.min(v, Math.floor(budget)));
          budget /= k;
          return k;
        });
        return { inputs: [{ kind: 'anchor' }, int64(repeats)], attrs: {} };
      });
  },
  backward(out) {
    const r = out.shape.length;
    if (r === 0) return undefined;
    return fc.array(fc.nat(), { minLength: r, maxLength: r }).map((pick): Instance => {
      // each output dim splits into (input dim) x (repeat) along one of its divisors
      const repeats = out.shape.map((d, i) => {
        const divs = Array.from({ length: d }, (_, k) => k + 1).filter((k) => d % k === 0);
        return divs[pick[i]! % divs.length]!;
      });
      const inShape = out.shape.map((d, i) => d / repeats[i]!);
      return { inputs: [{ kind: 'tensor', type: { dtype: out.dtype, shape: inShape } }, int64(repeats)], attrs: {} };
    });
  },
  tfjs: {
    lower(tf, inputs, _attrs, ctx) {
      const x = inputs[0]!;
      // computed repeats (ONNX's node tests feed them as a graph input) are read back: tfjs runs eagerly
      const reps = [...(ctx.constants[1] ?? inputs[1]!.dataSync())];
      if (x.rank <= 4 || x.dtype !== 'float32' || reps.includes(0)) return [tf.tile(x, reps)];
      // tfjs has no tf.tile gradient above rank 4 (the input search differentiates float32 lowerings):
      // repeat by concatenation along each axis instead
      let t = x;
      reps.forEach((r, a) => {
        if (r !== 1) t = tf.concat(new Array<typeof t>(r).fill(t), a);
      });
      return [t];
    },
  },
  infer(inputs) {
    const x = inputs[0];
    if (!x) return 'Tile: missing input';
    const repeats = geometry(inputs[1], 'Tile', 'repeats');
    if (typeof repeats === 'string') return repeats;
    const shape = tileShape(x.shape, repeats);
    return typeof shape === 'string' ? shape : [{ dtype: x.dtype, shape }];
  },
  reference(inputs) {
    const x = inputs[0]!;
    const shape = tileShape(x.shape, Array.from(inputs[1]!.data));
    if (typeof shape === 'string') throw new Error(shape);
    return [gatherAxes(x, shape.map((n, a) => Array.from({ length: n }, (_, i) => i % x.shape[a]!)), 0)];
  },
});

/** This family's operators, in registry order. */
export const expandTileOps: readonly OpSpec[] = [Expand, Tile];
