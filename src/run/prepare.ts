/**
 * Everything `run` does before a backend sees the model: read and check it (import.ts, validate.ts), draw or read
 * its inputs, and check sizes. Every problem is a ModelError (exit 2); nothing here reads a file the model points to.
 */
import { readFileSync } from 'node:fs';
import { findOp } from '../../generators/ops/index.js';
import type { Graph, Tensor } from '../ir/index.js';
import { importModel } from '../onnx/index.js';
import { checkDeclaredInputs, checkRunSizes } from './limits.js';
import { randomInputs, readInputs } from './inputs.js';

export interface PreparedRun {
  readonly graph: Graph;
  readonly feeds: Record<string, Tensor>;
  /** Operators onnxsmith has no spec for (the reference cannot run them). */
  readonly unknownOps: readonly string[];
}

export interface PrepareOptions {
  /** Folder of input tensors; random inputs from `seed` otherwise. */
  readonly inputs?: string;
  readonly seed: number;
  readonly maxElems: number;
}

/** Imports the model at `modelPath` and makes its feeds; throws ModelError naming the problem. */
export function prepareRun(modelPath: string, opts: PrepareOptions): PreparedRun {
  const { graph } = importModel(readFileSync(modelPath), { path: modelPath, maxElems: opts.maxElems });
  const unknownOps = [...new Set(graph.nodes.map((n) => n.op).filter((op) => !findOp(op)))];
  checkDeclaredInputs(graph, opts.maxElems);
  const feeds = opts.inputs ? readInputs(graph, opts.inputs, opts.maxElems) : randomInputs(graph, opts.seed);
  checkRunSizes(graph, feeds, opts.maxElems);
  return { graph, feeds, unknownOps };
}
