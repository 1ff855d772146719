/** onnxruntime-web's WebAssembly backend, run inside Node (single-threaded, no proxy worker). */
import type { Graph, Tensor } from '../ir/index.js';
import { fromOrtTensor, toOrtTensor, type OrtTensorCtor, type OrtTensorLike } from './ort-tensor.js';
import { findPackage, requireDir } from './packages.js';
import { probeModelBytes } from './probe-model.js';
import type { Availability, Backend, ModelInput, Session } from './types.js';
import { defineBackend, errorText } from './types.js';

interface OrtWebSession {
  run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>>;
  release?(): Promise<void>;
}
interface OrtWebModule {
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtWebSession> };
  Tensor: OrtTensorCtor;
  env: { wasm: { numThreads?: number; proxy?: boolean }; logLevel?: string };
}

export function ortWebWasmBackend(version?: string): Backend {
  const pkg = findPackage('onnxruntime-web', version);
  let mod: OrtWebModule | undefined;
  const load = (): OrtWebModule => {
    if (typeof pkg === 'string') throw new Error(pkg);
    if (!mod) {
      mod = requireDir<OrtWebModule>(pkg.dir);
      // threads would start web workers; one worker process per backend is the isolation unit here
      mod.env.wasm.numThreads = 1;
      mod.env.wasm.proxy = false;
      mod.env.logLevel = 'fatal';
    }
    return mod;
  };
  const options = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
  let availability: Promise<Availability> | undefined;
  return defineBackend({
    name: version ? `ort-web-wasm@${version}` : 'ort-web-wasm',
    version: () => (typeof pkg === 'string' ? 'not installed' : pkg.version),
    available() {
      availability ??= (async (): Promise<Availability> => {
        if (typeof pkg === 'string') return { ok: false, reason: pkg };
        try {
          const m = load();
          const s = await m.InferenceSession.create(probeModelBytes(), options);
          await s.release?.();
          return { ok: true };
        } catch (e) {
          return { ok: false, reason: `onnxruntime-web wasm failed to start: ${errorText(e).split('\n')[0]}` };
        }
      })();
      return availability;
    },
    supports(_graph: Graph) {
      return [];
    },
    async prepare(model: ModelInput): Promise<Session> {
      return load().InferenceSession.create(model.bytes, options);
    },
    async run(session: Session, feeds: Readonly<Record<string, Tensor>>, outputNames: readonly string[]) {
      const m = load();
      const inputs: Record<string, OrtTensorLike> = {};
      for (const [k, v] of Object.entries(feeds)) inputs[k] = toOrtTensor(m.Tensor, v);
      const res = await (session as OrtWebSession).run(inputs);
      const out: Record<string, Tensor> = {};
      for (const name of outputNames) {
        const t = res[name];
        if (!t) throw new Error(`onnxruntime-web returned no output '${name}'`);
        out[name] = fromOrtTensor(t, name);
      }
      return out;
    },
    async release(session: Session) {
      await (session as OrtWebSession).release?.();
    },
  });
}
