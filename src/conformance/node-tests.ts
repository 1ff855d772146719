/**
 * ONNX's own node tests (Debian's libonnx-testdata): each folder holds model.onnx and test_data_set_N/
 * with input_K.pb and output_K.pb. Used to check the reference interpreter and the backends.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Graph, Tensor } from '../ir/index.js';
import { decodeTensor, importModel, ModelError } from '../onnx/index.js';

export const NODE_TESTS_DIR = '/usr/share/libonnx-testdata/data/node';

export interface NodeTestCase {
  readonly name: string;
  readonly dir: string;
  readonly modelBytes: Uint8Array;
  /** Undefined when the model uses something onnxsmith's IR cannot hold (the reason says what). */
  readonly graph?: Graph;
  readonly importError?: string;
  /** The op types of the model's nodes. */
  readonly ops: readonly string[];
  readonly sets: readonly { inputs: Tensor[]; outputs: Tensor[] }[];
}

export function nodeTestNames(dir = NODE_TESTS_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((d) => existsSync(join(dir, d, 'model.onnx'))).sort();
}

function readPbs(dir: string, prefix: string): Tensor[] {
  const files = readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
    .sort((a, b) => Number(a.slice(prefix.length, -3)) - Number(b.slice(prefix.length, -3)));
  return files.map((f) => decodeTensor(readFileSync(join(dir, f)), join(dir, f)).tensor);
}

/** Loads one node test; data sets with unsupported element types make the whole case unsupported. */
export function loadNodeTest(name: string, dir = NODE_TESTS_DIR): NodeTestCase {
  const base = join(dir, name);
  const modelBytes = readFileSync(join(base, 'model.onnx'));
  let graph: Graph | undefined;
  let importError: string | undefined;
  let ops: string[] = [];
  try {
    graph = importModel(modelBytes).graph;
    ops = graph.nodes.map((n) => n.op);
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    importError = e.message;
  }
  const sets: { inputs: Tensor[]; outputs: Tensor[] }[] = [];
  if (graph) {
    try {
      for (const s of readdirSync(base).filter((d) => d.startsWith('test_data_set_')).sort()) {
        sets.push({ inputs: readPbs(join(base, s), 'input_'), outputs: readPbs(join(base, s), 'output_') });
      }
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      importError = e.message;
      graph = undefined;
    }
  }
  return { name, dir: base, modelBytes, ...(graph ? { graph } : {}), ...(importError ? { importError } : {}), ops, sets };
}

/** Closeness as ONNX's backend tests define it (numpy assert_allclose, rtol 1e-3, atol 1e-7), NaN equal to NaN. */
export function allClose(expected: Tensor, actual: Tensor, rtol = 1e-3, atol = 1e-7): string | undefined {
  if (expected.shape.length !== actual.shape.length || expected.shape.some((d, i) => d !== actual.shape[i])) {
    return `shape [${actual.shape.join(',')}] != expected [${expected.shape.join(',')}]`;
  }
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i]!;
    const a = actual.data[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (e === a) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) return `element ${i}: ${a} != expected ${e}`;
  }
  return undefined;
}
