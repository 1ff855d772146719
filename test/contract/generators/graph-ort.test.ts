/**
 * The generator's main acceptance property: every generated graph is valid, loads and runs on onnxruntime-node
 * CPU with optimisations disabled, and the reference interpreter's output types equal ORT's.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { caseSeed, generateGraph, randomFromSeed, resolveOptions } from '../../../generators/graph.js';
import { validateGraph } from '../../../generators/validate.js';
import { sampleFeeds } from '../../../generators/values.js';
import { fromOrtTensor, toOrtTensor, type OrtTensorCtor } from '../../../src/backends/ort-tensor.js';
import { formatType } from '../../../src/ir/index.js';
import { exportModel } from '../../../src/onnx/index.js';
import { interpret } from '../../../src/reference/interpreter.js';

const GRAPHS = Number(process.env.GRAPHS ?? 2000);
const SEED = 20261127;

describe('generated graphs on onnxruntime-node (optimisations disabled)', () => {
  it(`${GRAPHS} graphs load, run, and match the reference's output types`, async () => {
    const options = resolveOptions({ nodes: 10 });
    const failures: string[] = [];
    for (let i = 0; i < GRAPHS && failures.length < 5; i++) {
      const seed = caseSeed(SEED, i);
      const g = generateGraph(seed, options);
      const where = `graph seed ${seed} (replay: onnxsmith gen --seed ${SEED} ...; index ${i})`;
      const errs = validateGraph(g);
      if (errs.length > 0) {
        failures.push(`${where}: invalid: ${errs.join('; ')}`);
        continue;
      }
      const feeds = sampleFeeds(g, randomFromSeed(seed));
      const env = interpret(g, feeds);
      let session: ort.InferenceSession | undefined;
      try {
        session = await ort.InferenceSession.create(exportModel(g), { graphOptimizationLevel: 'disabled' });
        const ortFeeds: Record<string, ort.Tensor> = {};
        for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = toOrtTensor(ort.Tensor as unknown as OrtTensorCtor, v) as ort.Tensor;
        const res = await session.run(ortFeeds);
        for (const out of g.outputs) {
          const ref = env.get(out.name)!;
          const got = fromOrtTensor(res[out.name]!, out.name);
          const r = formatType(ref);
          const o = formatType(got);
          if (r !== formatType(out) || o !== r) failures.push(`${where}: output ${out.name}: declared ${formatType(out)}, reference ${r}, ORT ${o}`);
        }
      } catch (e) {
        failures.push(`${where}: ORT rejected it: ${(e as Error).message.split('\n')[0]}\nops: ${g.nodes.map((n) => n.op).join(' ')}`);
      } finally {
        await session?.release();
      }
    }
    expect(failures).toEqual([]);
  }, 600_000);
});
