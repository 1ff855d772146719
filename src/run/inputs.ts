/** Feeds for `run`: read from a folder of TensorProto files, or drawn from a seed. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomFromSeed } from '../../generators/graph.js';
import { sampleFeeds } from '../../generators/values.js';
import type { Graph, Tensor } from '../ir/index.js';
import { formatType } from '../ir/index.js';
import { checkElementCount, decodeTensor, DEFAULT_MAX_ELEMS, ModelError } from '../onnx/index.js';

/**
 * Reads inputs from DIR: files named after the inputs (`NAME.pb`, as cases store them) or ONNX test layout
 * (`input_0.pb`, `input_1.pb` by position). Every model input must be present with its declared type.
 */
export function readInputs(graph: Graph, dir: string, maxElems = DEFAULT_MAX_ELEMS): Record<string, Tensor> {
  // a graph without inputs needs no folder (git keeps no empty one, so a case folder may lack it)
  if (graph.inputs.length === 0 && !existsSync(dir)) return {};
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ModelError(`--inputs: ${dir} is not a folder`);
  const files = readdirSync(dir).filter((f) => f.endsWith('.pb'));
  const byName = new Map<string, Tensor>();
  const byPos = new Map<number, Tensor>();
  for (const f of files) {
    if (!statSync(join(dir, f)).isFile()) throw new ModelError(`--inputs: ${join(dir, f)} is not a file (a TensorProto .pb file expected)`);
    const { name, tensor } = decodeTensor(readFileSync(join(dir, f)), join(dir, f));
    checkElementCount(join(dir, f), tensor.shape, maxElems);
    const m = /^input_(\d+)\.pb$/.exec(f);
    if (m) byPos.set(Number(m[1]), tensor);
    byName.set(name || f.slice(0, -3), tensor);
    byName.set(f.slice(0, -3), tensor);
  }
  const feeds: Record<string, Tensor> = {};
  graph.inputs.forEach((inp, i) => {
    const t = byName.get(inp.name) ?? byPos.get(i);
    if (!t) throw new ModelError(`--inputs: no file for model input '${inp.name}' in ${dir} (expected ${inp.name}.pb or input_${i}.pb)`);
    if (t.dtype !== inp.dtype) throw new ModelError(`--inputs: '${inp.name}' is ${t.dtype}, the model expects ${inp.dtype}`);
    const fits = inp.shape.length === t.shape.length && inp.shape.every((d, k) => d < 0 || d === t.shape[k]);
    if (!fits) throw new ModelError(`--inputs: '${inp.name}' has shape [${t.shape.join(',')}], the model expects ${formatType(inp)}`);
    feeds[inp.name] = t;
  });
  return feeds;
}

/** Seeded inputs; needs concrete input shapes. */
export function randomInputs(graph: Graph, seed: number): Record<string, Tensor> {
  for (const inp of graph.inputs) {
    if (inp.shape.some((d) => d < 0)) {
      throw new ModelError(`input '${inp.name}' has a symbolic dimension ${formatType(inp).replace('-1', '?')}; pass --inputs DIR with concrete tensors`);
    }
  }
  return sampleFeeds(graph, randomFromSeed(seed));
}

