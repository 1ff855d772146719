/**
 * Every operator family's contract cases, declared once for both tiers: the unit tier checks a third of each
 * case's instances on the reference alone (test/unit/ops/contract.test.ts), the contract tier all of them on the
 * reference and onnxruntime-node (test/contract/ops/*.test.ts). A case is an operator and the checkOpContract runs
 * it gets.
 */
import { describe, it } from 'vitest';
import { activationOps } from '../../generators/ops/activations.js';
import { argOps } from '../../generators/ops/arg.js';
import { binaryArithOps } from '../../generators/ops/binary-arith.js';
import { castClipOps } from '../../generators/ops/cast-clip.js';
import { compareLogicOps } from '../../generators/ops/compare-logic.js';
import { Concat, Split } from '../../generators/ops/concat-split.js';
import { convOps } from '../../generators/ops/conv.js';
import { expandTileOps } from '../../generators/ops/expand-tile.js';
import { gatherOps } from '../../generators/ops/gather.js';
import { matmulOps } from '../../generators/ops/matmul.js';
import { normalizationOps } from '../../generators/ops/normalization.js';
import { poolOps } from '../../generators/ops/pool.js';
import { reduceOps } from '../../generators/ops/reduce.js';
import { reshapeOps } from '../../generators/ops/reshape.js';
import { Resize } from '../../generators/ops/resize.js';
import { scanOps } from '../../generators/ops/scan.js';
import { Pad, Slice } from '../../generators/ops/slice-pad.js';
import { softmaxOps } from '../../generators/ops/softmax.js';
import { defineOp, type OpSpec } from '../../generators/ops/spec.js';
import { transposeOps } from '../../generators/ops/transpose.js';
import { unaryMathOps } from '../../generators/ops/unary-math.js';
import { whereOps } from '../../generators/ops/where.js';
import { checkOpContract, type BackendCheck, type ContractOptions } from './op-contract.js';

/** An operator and the contract runs it gets, one checkOpContract call each. */
export interface OpCase {
  readonly op: OpSpec;
  readonly runs: readonly ContractOptions[];
}

/** One describe block of operator contract cases. */
export interface OpSuite {
  readonly title: string;
  readonly cases: readonly OpCase[];
}

/** `ops`, each with the runs given (one run with the defaults when none is). */
const each = (ops: readonly OpSpec[], ...runs: ContractOptions[]): OpCase[] => ops.map((op) => ({ op, runs: runs.length > 0 ? runs : [{}] }));

const suite = (title: string, ...cases: OpCase[][]): OpSuite => ({ title, cases: cases.flat() });

// ORT accumulates convolutions, pools and normalisation statistics in float32 (and may reorder sums), the
// reference in float64
const float32Sums: ContractOptions = { rtol: 1e-3, atol: 1e-4 };

/** The contract suites, by the test/contract/ops file that runs them on onnxruntime-node. */
export const OP_SUITES = {
  'activations': [suite('activations contract', each(activationOps))],
  'arg': [suite('arg-extreme contract', each(argOps))],
  'binary-arith': [suite('binary arithmetic contract', each(binaryArithOps))],
  'cast-clip': [suite('cast and clip contract', each(castClipOps))],
  'compare-logic': [
    suite('comparison and logic contract', each(compareLogicOps)),
    // checkOpContract draws backward targets from the op's input dtypes, which for the ordering comparisons never
    // include bool: run their backward instances as the forward build for bool anchors instead
    suite(
      'comparison backward from bool outputs',
      each(
        compareLogicOps.filter((o) => !o.dtypes.includes('bool')).map((op) => defineOp({ ...op, dtypes: ['bool'], build: (anchor, ctx) => op.backward!(anchor, ctx)! })),
        { runs: 30 },
      ),
    ),
  ],
  // opset 18 adds Split's num_outputs form
  'concat-split': [suite('concat/split contract', each([Concat]), each([Split], {}, { opset: 18, runs: 40 }))],
  'conv': [suite('convolution contract', each(convOps, float32Sums))],
  'expand-tile': [suite('expand/tile contract', each(expandTileOps))],
  'gather': [suite('gather contract', each(gatherOps))],
  'matmul': [suite('MatMul and Gemm contract', each(matmulOps))],
  'normalization': [suite('normalization contract', each(normalizationOps, float32Sums))],
  'pool': [suite('pooling contract', each(poolOps, float32Sums))],
  // opset 17 writes axes as an attribute (ReduceSum: an input); opset 18 moves every reduction to the input form
  'reduce': [suite('reduction contract', each(reduceOps, { opset: 17 }, { opset: 18, runs: 40, seed: 18 }))],
  'reshape': [suite('reshape family contract', each(reshapeOps))],
  // opset 18 adds the axes attribute
  'resize': [suite('resize contract', each([Resize], { runs: 150 }, { opset: 18, runs: 60 }))],
  'scan': [suite('scan-and-triangle contract', each(scanOps))],
  // opset 18 adds Pad's axes input
  'slice-pad': [suite('slice/pad contract', each([Slice], { runs: 100 }), each([Pad], { runs: 100 }, { opset: 18, runs: 40 }))],
  'softmax': [suite('softmax contract', each(softmaxOps))],
  'transpose': [suite('transpose contract', each(transposeOps))],
  'unary-math': [suite('unary math contract', each(unaryMathOps))],
  'where': [suite('Where contract', each(whereOps))],
} as const satisfies Record<string, readonly OpSuite[]>;

/** Instances per run when a case names none (checkOpContract's default). */
const DEFAULT_RUNS = 60;

/**
 * Declares `suites`, one test per case: with a `backend`, every instance is checked on the reference and on it;
 * without, a third as many, drawn from the same seed, on the reference alone, which
 * keeps the unit tier under a minute.
 */
export function describeOpSuites(suites: readonly OpSuite[], backend?: BackendCheck): void {
  for (const s of suites) {
    describe(s.title, () => {
      for (const c of s.cases) {
        it(c.op.onnx, async () => {
          for (const run of c.runs) {
            await checkOpContract(c.op, backend ? { ...run, backend } : { ...run, runs: Math.ceil((run.runs ?? DEFAULT_RUNS) / 3) });
          }
        });
      }
    });
  }
}
