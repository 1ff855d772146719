/**
 * tfjs has no ONNX importer, so a tfjs repro cannot load model.onnx. Instead the graph is lowered once with a
 * recording `tf`: every tfjs op the lowerings call is written down with its arguments, giving straight-line tfjs
 * code (`const t3 = tf.conv2d(t1, t2, [1, 1], 'same')`) that a tfjs maintainer can run and read.
 */
import type * as tfjs from '@tensorflow/tfjs-core';
import { evalTfjsNodes, quietCpuBackend, toTf } from '../backends/tfjs.js';
import type { Graph, Tensor } from '../ir/index.js';

/** A lowering did something the recorder cannot write down (a tensor made outside `tf.*`). */
export class Untraceable extends Error {
  override readonly name = 'Untraceable';
}

type TF = typeof tfjs;
let tfCpu: TF | undefined;

async function loadCpuTf(): Promise<TF> {
  if (!tfCpu) {
    tfCpu = (await import('@tensorflow/tfjs-core')) as TF;
    await import('@tensorflow/tfjs-backend-cpu');
  }
  return tfCpu;
}

const PASS_THROUGH = new Set(['dispose', 'keep', 'engine', 'env', 'getBackend', 'memory', 'backend', 'ready']);

/** Straight-line tfjs code for the graph: `async function runModel()` returning the outputs. */
export async function recordTfjs(graph: Graph, feeds: Readonly<Record<string, Tensor>>): Promise<string> {
  const tf = await loadCpuTf();
  await tf.setBackend('cpu');
  quietCpuBackend(tf);
  const names = new Map<tfjs.Tensor, string>();
  const lines: string[] = [];
  let counter = 0;
  const isTensor = (v: unknown): v is tfjs.Tensor => v instanceof tf.Tensor;
  const lit = (v: unknown): string => {
    if (isTensor(v)) {
      const n = names.get(v);
      if (!n) throw new Untraceable('a lowering used a tensor it did not make through tf.*');
      return n;
    }
    if (Array.isArray(v)) return `[${v.map(lit).join(', ')}]`;
    if (ArrayBuffer.isView(v)) return `${v.constructor.name}.from(${JSON.stringify(Array.from(v as unknown as ArrayLike<number>))})`;
    if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : !Number.isFinite(v) ? (v > 0 ? 'Infinity' : '-Infinity') : Object.is(v, -0) ? '-0' : String(v);
    if (v === undefined) return 'undefined';
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
    if (typeof v === 'object') return `{ ${Object.entries(v).map(([a, b]) => `${JSON.stringify(a)}: ${lit(b)}`).join(', ')} }`;
    throw new Untraceable(`a lowering passed a ${typeof v} to tfjs`);
  };
  const wrap = (target: object, path: string): unknown =>
    new Proxy(target, {
      get(t, prop) {
        const v = Reflect.get(t, prop) as unknown;
        if (typeof prop !== 'string' || PASS_THROUGH.has(prop)) return v;
        // a lowering with its own gradient (tf.customGrad, e.g. 3-D ConvTranspose): the repro needs only the forward
        // calls, which run, and are recorded, inside f
        if (prop === 'customGrad') return (f: (...xs: unknown[]) => { value: unknown }) => (...xs: unknown[]) => f(...xs, () => undefined).value;
        if (prop === 'tidy') return (a: unknown, b?: unknown) => (typeof a === 'function' ? (a as () => unknown)() : (b as () => unknown)());
        if (v && typeof v === 'object' && !isTensor(v) && /^[a-z]/.test(prop)) return wrap(v, `${path}.${prop}`);
        if (typeof v !== 'function' || /^[A-Z]/.test(prop)) return v;
        return (...args: unknown[]) => {
          const out = (v as (...a: unknown[]) => unknown).apply(t, args);
          const call = `${path}.${prop}(${args.map(lit).join(', ')})`;
          if (isTensor(out) && !names.has(out)) {
            const n = `t${counter++}`;
            names.set(out, n);
            lines.push(`  const ${n} = ${call};`);
          } else if (Array.isArray(out) && out.length > 0 && out.every(isTensor)) {
            const ns = out.map((x) => {
              const n = `t${counter++}`;
              names.set(x, n);
              return n;
            });
            lines.push(`  const [${ns.join(', ')}] = ${call};`);
          }
          return out;
        };
      },
    });
  const rec = wrap(tf, 'tf') as TF;
  const env = new Map<string, tfjs.Tensor>();
  const leaf = (name: string, t: Tensor): void => {
    lines.push(`  // ${name}`);
    env.set(name, toTf(rec, t));
  };
  try {
    tf.tidy(() => {
      for (const i of graph.initializers) leaf(i.name, { dtype: i.dtype, shape: i.shape, data: Float64Array.from(i.data) });
      for (const i of graph.inputs) leaf(i.name, feeds[i.name]!);
      lines.push('  // the graph');
      evalTfjsNodes(rec, graph, graph.nodes, env);
      const outs = graph.outputs.map((o) => {
        const t = env.get(o.name);
        if (!t) throw new Untraceable(`no tfjs tensor for output '${o.name}'`);
        return `    ${JSON.stringify(o.name)}: { dtype: ${JSON.stringify(o.dtype)}, shape: [...${lit(t)}.shape], data: Array.from(await ${lit(t)}.data(), Number) },`;
      });
      lines.push('  return {', ...outs, '  };');
      return [];
    });
  } catch (e) {
    if (e instanceof Untraceable) throw e;
    throw new Untraceable(`lowering failed while recording: ${(e as Error).message}`);
  }
  return `async function runModel() {\n${lines.join('\n')}\n}`;
}

/** Engine set-up plus the recorded graph, for repro.mjs. */
export async function tfjsTrace(graph: Graph, feeds: Readonly<Record<string, Tensor>>, flavour: 'tfjs-cpu' | 'tfjs-wasm' | 'tfjs-node'): Promise<string> {
  const setup =
    flavour === 'tfjs-node'
      ? `const tf = need('@tensorflow/tfjs-node');`
      : flavour === 'tfjs-cpu'
        ? `const tf = need('@tensorflow/tfjs-core');\nneed('@tensorflow/tfjs-backend-cpu');\nawait tf.setBackend('cpu');`
        : `const tf = need('@tensorflow/tfjs-core');\nconst { setWasmPaths } = need('@tensorflow/tfjs-backend-wasm');\n` +
          `setWasmPaths(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json').replace(/package\\.json$/, 'dist/'));\nawait tf.setBackend('wasm');`;
  return `// tfjs has no ONNX loader: the graph in model.onnx, lowered to tfjs ops as onnxsmith runs it\n${setup}\n\n${await recordTfjs(graph, feeds)}`;
}
