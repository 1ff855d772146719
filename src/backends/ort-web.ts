/** onnxruntime-web's WebAssembly backend, run inside Node (single-threaded, no proxy worker). */
import type { Graph, Tensor } from '../ir/index.js';
import { exportModel } from '../onnx/index.js';
import { ortKernelGap } from './kernel-gaps.js';
import { probeOrtOnce, runOrtSession, type OrtTensorCtor, type OrtTensorLike } from './ort-tensor.js';
import { withVersion } from './names.js';
import { findPackage, requireDir } from './packages.js';
import { probeModelBytes } from './probe-model.js';
import type { Backend, ModelInput, Session } from './types.js';
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
  return defineBackend({
    name: withVersion('ort-web-wasm', version),
    version: () => (typeof pkg === 'string' ? 'not installed' : pkg.version),
    available: probeOrtOnce(
      pkg,
      async () => {
        const s = await load().InferenceSession.create(probeModelBytes(), options);
        await s.release?.();
        return { ok: true };
      },
      'onnxruntime-web wasm failed to start',
    ),
    supports(_graph: Graph) {
      return [];
    },
    async prepare(model: ModelInput): Promise<Session> {
      try {
        return await load().InferenceSession.create(model.bytes, options);
      } catch (e) {
        if (typeof pkg === 'string') throw e;
        const probe = async (g: Graph): Promise<string | undefined> => {
          try {
            await (await load().InferenceSession.create(exportModel(g), options)).release?.();
            return undefined;
          } catch (pe) {
            return errorText(pe);
          }
        };
        throw (await ortKernelGap(e, model, { backend: withVersion('ort-web-wasm', pkg.version), probe })) ?? e;
      }
    },
    async run(session: Session, feeds: Readonly<Record<string, Tensor>>, outputNames: readonly string[]) {
      return runOrtSession(load().Tensor, session as OrtWebSession, feeds, outputNames, 'onnxruntime-web');
    },
    async release(session: Session) {
      await (session as OrtWebSession).release?.();
    },
  });
}
