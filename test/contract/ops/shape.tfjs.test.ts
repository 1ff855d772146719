/**
 * Shape and data-movement operators lowered to tfjs (Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Split,
 * Slice, Pad, Expand, Tile, Gather, Resize): forward and backward instances at opsets 17 and 18 (Split's
 * num_outputs, Pad's axes input, Resize's axes attribute) on tfjs-cpu and tfjs-wasm; float64 left out (tfjs has
 * none). Every other instance must run: none may come back unsupported. TFJS_RUNS=n samples more.
 */
import * as fc from 'fast-check';
import { expect, it } from 'vitest';
import { concatSplitOps } from '../../../generators/ops/concat-split.js';
import { expandTileOps } from '../../../generators/ops/expand-tile.js';
import { Gather, gatherOps } from '../../../generators/ops/gather.js';
import { Pad } from '../../../generators/ops/pad.js';
import { reshapeOps } from '../../../generators/ops/reshape.js';
import { resizeOps } from '../../../generators/ops/resize.js';
import { Slice } from '../../../generators/ops/slice.js';
import { slicePadOps } from '../../../generators/ops/slice-pad.js';
import { Squeeze, Unsqueeze } from '../../../generators/ops/squeeze.js';
import type { Instance, OpSpec } from '../../../generators/ops/spec.js';
import { transposeOps } from '../../../generators/ops/transpose.js';
import { forwardArb, singleOpGraph } from '../../../generators/single-op.js';
import { createBackend } from '../../../src/backends/index.js';
import { evalTfjsNodes, leafTensors, tfjsUnsupported } from '../../../src/backends/tfjs.js';
import { checkGraph } from '../../../src/conformance/contract.js';
import type { DType, Tensor } from '../../../src/ir/index.js';
import { numel } from '../../../src/ir/index.js';
import { describeSampledOnTfjs, tfjsRuns } from '../../helpers/tfjs-contract.js';

const RUNS = tfjsRuns(20);
const OPSETS = [17, 18];
const OPS: readonly OpSpec[] = [...reshapeOps, ...transposeOps, ...concatSplitOps, ...slicePadOps, ...expandTileOps, ...gatherOps, ...resizeOps];

const int64 = (data: number[]): Instance['inputs'][number] => ({ kind: 'const', dtype: 'int64', shape: [data.length], data });
const t = (dtype: DType, shape: number[]): Instance['inputs'][number] => ({ kind: 'tensor', type: { dtype, shape } });

/** Forms the generator does not draw: older opsets' attributes, opset 19's wrap, reflect past one period. */
const HANDMADE: { what: string; spec: OpSpec; inst: Instance; opset: number }[] = [
  { what: 'Squeeze-11 axes attribute', spec: Squeeze, opset: 11, inst: { inputs: [t('float32', [1, 3, 1, 2])], attrs: { axes: [-2, 0] } } },
  { what: 'Squeeze-11 no axes', spec: Squeeze, opset: 11, inst: { inputs: [t('bool', [1, 3, 1])], attrs: {} } },
  { what: 'Unsqueeze-11 axes attribute', spec: Unsqueeze, opset: 11, inst: { inputs: [t('int32', [3, 2])], attrs: { axes: [0, -1, 2] } } },
  { what: 'Pad-19 wrap', spec: Pad, opset: 19, inst: { inputs: [t('float32', [2, 3]), int64([1, 5, -1, 2])], attrs: { mode: 'wrap' } } },
  { what: 'Pad reflect past the size', spec: Pad, opset: 17, inst: { inputs: [t('float32', [3, 2]), int64([4, 0, 5, 1])], attrs: { mode: 'reflect' } } },
  { what: 'Pad reflect of one element', spec: Pad, opset: 17, inst: { inputs: [t('int32', [1, 3]), int64([2, 0, 1, 0])], attrs: { mode: 'reflect' } } },
  { what: 'Pad edge with crop', spec: Pad, opset: 17, inst: { inputs: [t('bool', [4, 3]), int64([-2, 2, 3, -1])], attrs: { mode: 'edge' } } },
  {
    what: 'Slice bool, negative steps',
    spec: Slice,
    opset: 17,
    inst: { inputs: [t('bool', [5, 4]), int64([-1, 10]), int64([-100, 0]), int64([0, 1]), int64([-1, -2])], attrs: {} },
  },
  { what: 'Gather rank-0 negative index', spec: Gather, opset: 17, inst: { inputs: [t('float32', [2, 5]), { kind: 'const', dtype: 'int64', shape: [], data: [-2] }], attrs: { axis: 1 } } },
];

/** The handmade forms on backend `name`: every one must pass. */
function handmadeForms(name: string): void {
  it('handmade forms', async () => {
    const backend = await createBackend(name);
    const failures: string[] = [];
    for (const [i, { what, spec, inst, opset }] of HANDMADE.entries()) {
      const g = singleOpGraph(spec, inst, undefined, opset);
      if (typeof g === 'string') throw new Error(`${what}: invalid instance: ${g}`);
      const r = await checkGraph(backend, g, i);
      if (r.status !== 'pass') failures.push(`${what}: ${r.status} ${r.why}`);
    }
    expect(failures).toEqual([]);
  });
}

describeSampledOnTfjs({
  title: (backend) => `shape operators on ${backend}`,
  ops: OPS,
  runs: RUNS,
  opsets: OPSETS,
  // every instance must run: none may come back unsupported
  unsupported: tfjsUnsupported,
  compared: { atLeast: RUNS * OPSETS.length },
  timeoutMs: 300_000,
  moreTests: handmadeForms,
});

// the input search differentiates lowerings on tfjs-cpu: every float32 input must get a gradient of its shape
it('differentiates on tfjs-cpu (float32 inputs)', async () => {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  // the full package registers the gradients, as the input search does
  await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const failures: string[] = [];
  for (const spec of OPS) {
    for (const opset of OPSETS) {
      const ctx = { opset, maxElems: 128, dtypes: ['float32'] as DType[] };
      for (const { anchor, inst } of fc.sample(forwardArb(spec, ctx), { seed: opset, numRuns: RUNS })) {
        const g = singleOpGraph(spec, inst, anchor, opset);
        if (typeof g === 'string') throw new Error(`${spec.onnx}: invalid instance: ${g}`);
        const feeds: Record<string, Tensor> = {};
        for (const i of g.inputs) feeds[i.name] = { ...i, data: Float64Array.from({ length: numel(i.shape) }, (_, k) => Math.sin(k + 1)) };
        try {
          const grads = tf.tidy(() => {
            const xs = g.inputs.map((i) => tf.tensor(Array.from(feeds[i.name]!.data), [...i.shape], 'float32'));
            const f = (...vals: import('@tensorflow/tfjs-core').Tensor[]): import('@tensorflow/tfjs-core').Scalar => {
              const env = leafTensors(tf, g, feeds);
              g.inputs.forEach((i, k) => env.set(i.name, vals[k]!));
              evalTfjsNodes(tf, g, g.nodes, env);
              return tf.addN(g.outputs.map((o) => tf.sum(tf.mul(env.get(o.name)!, tf.sin(tf.reshape(tf.range(1, numel(o.shape) + 1), [...o.shape])))))) as import('@tensorflow/tfjs-core').Scalar;
            };
            return tf.grads(f)(xs).map((d) => ({ shape: d.shape, finite: Array.from(d.dataSync()).every(Number.isFinite) }));
          });
          grads.forEach((d, k) => {
            const want = g.inputs[k]!.shape;
            if (d.shape.join() !== want.join() || !d.finite) failures.push(`${spec.onnx}@${opset}: gradient [${d.shape.join(',')}] for [${want.join(',')}]`);
          });
        } catch (e) {
          failures.push(`${spec.onnx}@${opset}: ${String(e).split('\n')[0]} ${g.nodes.map((n) => JSON.stringify(n.attrs)).join(' ')} ${g.initializers.map((c) => JSON.stringify(c.data)).join(' ')}`);
        }
      }
    }
  }
  expect(failures).toEqual([]);
}, 300_000);
