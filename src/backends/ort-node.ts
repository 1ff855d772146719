/**
 * onnxruntime-node backends: CPU with all graph optimisations, CPU with none, the bundled WebGPU provider,
 * and CUDA (when its provider libraries are present). Any installed release can be named with @version.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Graph, Tensor } from '../ir/index.js';
import { exportModel } from '../onnx/index.js';
import { ortKernelGap } from './kernel-gaps.js';
import { probeOrtOnce, runOrtSession, type OrtTensorCtor, type OrtTensorLike } from './ort-tensor.js';
import { ORT_NODE_FLAVOURS, withVersion, type OrtNodeFlavour } from './names.js';
import { findPackage, requireDir } from './packages.js';
import { probeModelBytes } from './probe-model.js';
import type { Backend, ModelInput, Session } from './types.js';
import { defineBackend, errorText } from './types.js';

/** The slice of onnxruntime-node's API every release from 1.10 on provides. */
interface OrtSession {
  run(feeds: Record<string, OrtTensorLike>, fetches?: readonly string[]): Promise<Record<string, OrtTensorLike>>;
  release?(): Promise<void>;
}
interface OrtModule {
  InferenceSession: { create(model: string | Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: OrtTensorCtor;
  listSupportedBackends?(): { name: string; bundled: boolean }[];
  env?: { logLevel?: string };
}

export { ORT_NODE_FLAVOURS, type OrtNodeFlavour };

/** Element types onnxruntime's JS binding can pass in and out. */
const JS_DTYPES = new Set(['float32', 'float64', 'int32', 'int64', 'bool']);

export function ortNodeBackend(flavour: OrtNodeFlavour, version?: string): Backend {
  const cfg = ORT_NODE_FLAVOURS[flavour];
  const pkg = findPackage('onnxruntime-node', version);
  let mod: OrtModule | undefined;
  const load = (): OrtModule => {
    if (typeof pkg === 'string') throw new Error(pkg);
    // onnxruntime's CUDA provider lets cuBLAS and cuDNN use TF32 (10-bit mantissa) for float32 MatMul, Gemm and
    // Conv, and its Node binding cannot pass use_tf32=0; without this every float32 product would differ from
    // float32 semantics by ~1e-3. NVIDIA's libraries read the variable when they initialise, which is after this
    // (in the worker process that runs this backend). A value the user set is kept.
    if (cfg.provider === 'cuda') process.env.NVIDIA_TF32_OVERRIDE ??= '0';
    if (!mod) {
      mod = requireDir<OrtModule>(pkg.dir);
      // the process-wide log level, read when the first session is created: without it a missing CUDA provider
      // prints ORT's own multi-line error to stderr before the exception that says the same
      if (mod.env) mod.env.logLevel = 'fatal';
    }
    return mod;
  };
  const options = {
    executionProviders: [cfg.provider],
    graphOptimizationLevel: cfg.optimization,
    // errors come back as exceptions; ORT's own coloured log lines would only clutter the terminal
    logSeverityLevel: 4,
  };
  return defineBackend({
    name: withVersion(flavour, version),
    version: () => (typeof pkg === 'string' ? 'not installed' : pkg.version),
    available: probeOrtOnce(
      pkg,
      async (installed) => {
        const m = load();
        const listed = m.listSupportedBackends?.().find((b) => b.name === cfg.provider);
        if (m.listSupportedBackends && !listed) return { ok: false, reason: `onnxruntime-node ${installed.version} has no ${cfg.provider} execution provider` };
        const s = await m.InferenceSession.create(probeModelBytes(), options);
        const t = new m.Tensor('float32', new Float32Array(6), [2, 3]);
        await s.run({ a: t, b: t });
        await s.release?.();
        return { ok: true };
      },
      cfg.provider === 'cuda'
        ? 'cuda execution provider failed to start (it needs libonnxruntime_providers_cuda.so beside the onnxruntime-node binding and the CUDA libraries on LD_LIBRARY_PATH; docs/gpu.md)'
        : `${cfg.provider} execution provider failed to start`,
    ),
    supports(graph: Graph) {
      const bad = [...graph.inputs, ...graph.outputs].filter((v) => !JS_DTYPES.has(v.dtype));
      return bad.map((v) => `'${v.name}' has element type ${v.dtype}, which onnxruntime's JS API cannot pass`);
    },
    async prepare(model: ModelInput): Promise<Session> {
      try {
        // a file path, not the bytes: releases up to 1.15.1 ignore every session option for buffers
        return await load().InferenceSession.create(model.path, options);
      } catch (e) {
        if (typeof pkg === 'string') throw e;
        throw (await ortKernelGap(e, model, { backend: withVersion(flavour, pkg.version), probe: (g) => loadError(load(), g, options) })) ?? e;
      }
    },
    async run(session: Session, feeds: Readonly<Record<string, Tensor>>, outputNames: readonly string[]) {
      return runOrtSession(load().Tensor, session as OrtSession, feeds, outputNames, 'onnxruntime');
    },
    async release(session: Session) {
      await (session as OrtSession).release?.();
    },
  });
}

/** Loads `graph` from a file of its own with the backend's options: undefined when it loads, else the error. */
async function loadError(m: OrtModule, graph: Graph, options: Record<string, unknown>): Promise<string | undefined> {
  const dir = mkdtempSync(join(process.env.ONNXSMITH_SCRATCH ?? tmpdir(), 'kernel-probe-'));
  try {
    const path = join(dir, 'probe.onnx');
    writeFileSync(path, exportModel(graph));
    const s = await m.InferenceSession.create(path, options);
    await s.release?.();
    return undefined;
  } catch (e) {
    return errorText(e);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
