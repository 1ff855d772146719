/**
 * Kernel gaps (src/backends/kernel-gaps.ts), the parts that need no runtime: reading onnxruntime's missing-kernel
 * messages, a node's element types, and the one-node probe graph. The runtimes' side:
 * test/contract/backends/kernel-gaps.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { nodeDtype, parseOrtMissingKernel, PROBE_NODE, probeGraph, tensorTypes } from '../../../src/backends/kernel-gaps.js';
import type { Graph } from '../../../src/ir/index.js';

describe('parseOrtMissingKernel', () => {
  it("reads onnxruntime 1.12's and later releases' messages, onnxruntime-web's prefix included", () => {
    expect(parseOrtMissingKernel("Could not find an implementation for Cos(7) node with name 'n3'")).toEqual({ domain: '', op: 'Cos', since: 7, node: 'n3' });
    const later = "Failed to find kernel for com.microsoft.QuickGelu(1) (node:'mul/QuickGeluFusion/' ep:'CPUExecutionProvider'). Op with name (mul/QuickGeluFusion/) ...";
    expect(parseOrtMissingKernel(later)).toEqual({ domain: 'com.microsoft', op: 'QuickGelu', since: 1, node: 'mul/QuickGeluFusion/' });
    expect(parseOrtMissingKernel(`Can't create a session. ERROR_CODE: 9, ERROR_MESSAGE: ${later}`)?.op).toBe('QuickGelu');
  });

  it('reads nothing into other load errors', () => {
    expect(parseOrtMissingKernel("Exception during initialization: relu_clip_fusion.cc:77 FuseReluClip::Apply Unexpected data type for Clip 'min' input of 11")).toBeUndefined();
    expect(parseOrtMissingKernel('Node (n3) Op (Trilu) [ShapeInferenceError] Input rank must be >= 2.')).toBeUndefined();
  });
});

describe('node element types', () => {
  const g: Graph = {
    opset: 17,
    inputs: [{ name: 'x', dtype: 'float32', shape: [3, 2] }],
    initializers: [{ name: 'i', dtype: 'int64', shape: [2], kind: 'constant', data: [0, 2] }],
    nodes: [
      { op: 'Gather', name: 'g', inputs: ['x', 'i'], outputs: ['a'], attrs: {} },
      { op: 'Less', name: 'l', inputs: ['a', 'a'], outputs: ['b'], attrs: {} },
      { op: 'Cast', name: 'c', inputs: ['a'], outputs: ['y'], attrs: { to: 11 } },
    ],
    outputs: [{ name: 'y', dtype: 'float64', shape: [2, 2] }],
    valueInfo: [{ name: 'a', dtype: 'float32', shape: [2, 2] }],
  };
  const types = tensorTypes(g);

  it('lists input types in order and the output types the inputs do not show; undeclared outputs are inferred', () => {
    expect(types.get('b')).toMatchObject({ dtype: 'bool', shape: [2, 2] });
    expect(g.nodes.map((n) => nodeDtype(n, types))).toEqual(['float32,int64', 'float32→bool', 'float32→float64']);
  });

  it('cuts a node out with its constant inputs as initializers, under the probe name', () => {
    const p = probeGraph(g, g.nodes[0]!, types)!;
    expect(p.inputs).toEqual([{ name: 'x', dtype: 'float32', shape: [3, 2] }]);
    expect(p.initializers.map((i) => i.name)).toEqual(['i']);
    expect(p.nodes).toEqual([{ ...g.nodes[0]!, name: PROBE_NODE }]);
    expect(p.outputs).toEqual([{ name: 'a', dtype: 'float32', shape: [2, 2] }]);
  });
});
