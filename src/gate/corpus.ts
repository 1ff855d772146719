/**
 * Finding and loading the cases a gate replays: every folder under the corpus that holds a case.json or a
 * model.onnx (nested folders too, so a campaign's cases/<bucket>/<k> layout works as a corpus as it is).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { Tolerance } from '../../oracles/tolerance.js';
import type { DType, Graph, Tensor } from '../ir/index.js';
import { importModel, readModelFile } from '../onnx/index.js';
import { readInputs } from '../run/inputs.js';

/** A case folder found under a corpus. */
export interface CaseRef {
  /** Folder relative to the corpus, with `/` separators. */
  readonly id: string;
  readonly dir: string;
}

/** A case ready to run. */
export interface LoadedCase extends CaseRef {
  readonly modelPath: string;
  readonly graph: Graph;
  readonly feeds: Record<string, Tensor>;
  readonly title?: string;
  readonly status?: string;
  readonly tolerances: Partial<Record<DType, Tolerance>>;
}

/** The onnxsmith package folder (holding package.json), from src/gate or dist/src/gate alike. */
export function packageRoot(): string {
  let dir = import.meta.dirname;
  for (let i = 0; i < 6; i++) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'onnxsmith') return dir;
      } catch {
        // an unreadable package.json further down is not ours; keep walking up
      }
    }
    dir = dirname(dir);
  }
  throw new Error(`cannot find onnxsmith's package.json above ${import.meta.dirname}`);
}

/** The corpus shipped with onnxsmith: used when --corpus is not given, whatever the working folder. */
export function defaultCorpus(): string {
  return join(packageRoot(), 'corpus');
}

const SKIP = new Set(['inputs', 'outputs', 'node_modules', 'work']);

/** Every case folder under `root`, sorted by id; a case folder's own subfolders are not searched. */
export function findCases(root: string, maxDepth = 6): CaseRef[] {
  const out: CaseRef[] = [];
  const visit = (dir: string, depth: number): void => {
    if (existsSync(join(dir, 'case.json')) || existsSync(join(dir, 'model.onnx'))) {
      out.push({ id: relative(root, dir).split(sep).join('/') || '.', dir });
      return;
    }
    if (depth >= maxDepth) return;
    for (const e of readdirSync(dir)) {
      if (e.startsWith('.') || SKIP.has(e)) continue;
      const p = join(dir, e);
      if (statSync(p).isDirectory()) visit(p, depth + 1);
    }
  };
  visit(root, 0);
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

interface CaseJson {
  title?: string;
  status?: string;
  graph?: Graph;
  tolerances?: Partial<Record<DType, Tolerance>>;
}

/** Loads a case (graph from case.json when it has one, else from model.onnx; inputs from inputs/). */
export function loadCase(ref: CaseRef): LoadedCase {
  const modelPath = join(ref.dir, 'model.onnx');
  if (!existsSync(modelPath)) throw new Error('no model.onnx in the case folder');
  const cj = join(ref.dir, 'case.json');
  let meta: CaseJson = {};
  if (existsSync(cj)) {
    try {
      meta = JSON.parse(readFileSync(cj, 'utf8')) as CaseJson;
    } catch (e) {
      throw new Error(`case.json is not valid JSON (${(e as Error).message})`);
    }
  }
  const graph = meta.graph ?? importModel(readModelFile(modelPath), { path: modelPath }).graph;
  const feeds = readInputs(graph, join(ref.dir, 'inputs'));
  return {
    ...ref,
    modelPath,
    graph,
    feeds,
    ...(typeof meta.title === 'string' ? { title: meta.title } : {}),
    ...(typeof meta.status === 'string' ? { status: meta.status } : {}),
    tolerances: meta.tolerances ?? {},
  };
}
