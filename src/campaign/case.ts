/**
 * Case folders (the format of ../shared/DESIGN.md): model.onnx, inputs/NAME.pb, outputs/BACKEND/NAME.pb and
 * case.json. A folder is written under a temporary name and renamed into place, so a reader (or a campaign
 * killed mid-write) never sees half a case.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Graph, Tensor } from '../ir/index.js';
import { canonicalJson } from '../ir/index.js';
import { decodeTensor, encodeTensor, readModelFile } from '../onnx/index.js';
import { tensorFileName } from '../backends/command.js';

export const CASE_FORMAT = 1;

/** A folder-safe form of a backend name (`command:/x/y` → `command_x_y`). */
export function backendSlug(name: string): string {
  return name.replace(/[^A-Za-z0-9.@-]+/g, '_');
}

export interface CaseFiles {
  readonly modelBytes: Uint8Array;
  readonly feeds: Readonly<Record<string, Tensor>>;
  /** Outputs per backend that produced any. */
  readonly outputs: Readonly<Record<string, Readonly<Record<string, Tensor>>>>;
  /** case.json contents (the graph IR and everything known about the case). */
  readonly meta: Readonly<Record<string, unknown>>;
  /** More files by name (repro.mjs, report.md, a mutant's original.onnx). */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
}

/** Writes a case folder atomically; replaces an existing folder of the same name. */
export function writeCase(dest: string, c: CaseFiles): void {
  const tmp = `${dest}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'inputs'), { recursive: true });
  writeFileSync(join(tmp, 'model.onnx'), c.modelBytes);
  for (const [name, t] of Object.entries(c.feeds)) writeFileSync(join(tmp, 'inputs', tensorFileName(name)), encodeTensor(name, t));
  for (const [backend, outs] of Object.entries(c.outputs)) {
    const d = join(tmp, 'outputs', backendSlug(backend));
    mkdirSync(d, { recursive: true });
    for (const [name, t] of Object.entries(outs)) writeFileSync(join(d, tensorFileName(name)), encodeTensor(name, t));
  }
  writeFileSync(join(tmp, 'case.json'), canonicalJson({ format: CASE_FORMAT, ...c.meta }, 1) + '\n');
  for (const [name, text] of Object.entries(c.files ?? {})) writeFileSync(join(tmp, name), text, { mode: name.endsWith('.mjs') ? 0o755 : 0o644 });
  mkdirSync(dirname(dest), { recursive: true });
  if (existsSync(dest)) rmSync(dest, { recursive: true, force: true });
  renameSync(tmp, dest);
}

export interface LoadedCase {
  readonly dir: string;
  readonly meta: Record<string, unknown> & { graph?: Graph };
  readonly modelBytes: Uint8Array;
  readonly feeds: Record<string, Tensor>;
}

/** Reads a case folder back (the graph IR from case.json, inputs by the names stored in each file). */
export function readCase(dir: string): LoadedCase {
  const meta = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as LoadedCase['meta'];
  const modelBytes = readModelFile(join(dir, 'model.onnx'));
  const feeds: Record<string, Tensor> = {};
  const graph = meta.graph;
  for (const i of graph?.inputs ?? []) {
    feeds[i.name] = decodeTensor(readFileSync(join(dir, 'inputs', tensorFileName(i.name))), `${dir}/inputs`).tensor;
  }
  return { dir, meta, modelBytes, feeds };
}
