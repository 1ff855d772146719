/**
 * tfjs backends. tfjs has no ONNX importer: graphs are lowered operator by operator (the lowering lives in each
 * operator's spec). tfjs-node is optional: it downloads libtensorflow when installed, so it is used when present
 * and reported unavailable, with the reason, when not.
 */
import { createRequire } from 'node:module';
import type { Graph, Tensor } from '../ir/index.js';
import type { Availability, Backend, ModelInput, Session } from './types.js';
import { defineBackend } from './types.js';

export const TFJS_FLAVOURS = {
  'tfjs-cpu': { pkg: '@tensorflow/tfjs-backend-cpu', tfBackend: 'cpu' },
  'tfjs-wasm': { pkg: '@tensorflow/tfjs-backend-wasm', tfBackend: 'wasm' },
  'tfjs-node': { pkg: '@tensorflow/tfjs-node', tfBackend: 'tensorflow' },
} as const;
export type TfjsFlavour = keyof typeof TFJS_FLAVOURS;

const require_ = createRequire(import.meta.url);

function installedVersion(pkg: string): string | undefined {
  try {
    return (require_(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

export function tfjsBackend(flavour: TfjsFlavour): Backend {
  const cfg = TFJS_FLAVOURS[flavour];
  const version = installedVersion(cfg.pkg);
  return defineBackend({
    name: flavour,
    version: () => version ?? 'not installed',
    async available(): Promise<Availability> {
      if (!version) {
        return flavour === 'tfjs-node'
          ? { ok: false, reason: '@tensorflow/tfjs-node is not installed (its install downloads libtensorflow; install it where that host is reachable)' }
          : { ok: false, reason: `${cfg.pkg} is not installed` };
      }
      return { ok: false, reason: 'the ONNX-to-tfjs lowering is not implemented yet' };
    },
    supports(_graph: Graph) {
      return ['the ONNX-to-tfjs lowering is not implemented yet'];
    },
    async prepare(_model: ModelInput): Promise<Session> {
      throw new Error('the ONNX-to-tfjs lowering is not implemented yet');
    },
    async run(_s: Session, _f: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
      throw new Error('the ONNX-to-tfjs lowering is not implemented yet');
    },
  });
}
