/**
 * repro.mjs: a standalone reproduction an upstream maintainer can run without onnxsmith. It needs only the
 * culprit's own npm package (onnxruntime-node, onnxruntime-web, tfjs) or the culprit's command, and the case's
 * model.onnx. The inputs and the expected outputs (the float64 reference, with the tolerance onnxsmith judged by)
 * are written into the script. It prints expected against actual and exits 1 while the bug is present, 0 once
 * the outputs match.
 */
import type { Tolerance } from '../../oracles/tolerance.js';
import { pathTolerances, toleranceFor } from '../../oracles/tolerance.js';
import { ORT_NODE_FLAVOURS, ortNodeFlavour, packagesOf, pinnedVersion, readBackendName, runtimeOf, tfjsFlavour } from '../backends/names.js';
import type { DType, Graph, Tensor } from '../ir/index.js';
import { tfjsTrace } from './tfjs-trace.js';

export interface ReproInput {
  readonly graph: Graph;
  readonly feeds: Readonly<Record<string, Tensor>>;
  /** Reference outputs. */
  readonly expected: Readonly<Record<string, Tensor>>;
  readonly culprit: string;
  readonly culpritVersion?: string;
  readonly symptom?: string;
  readonly title: string;
  readonly tolerances?: Partial<Record<DType, Tolerance>>;
}

/** What a maintainer installs to run the repro (an npm install line), or undefined for a command backend. */
export function reproRequirement(culprit: string, version?: string): string | undefined {
  const packages = packagesOf(culprit);
  if (packages.length === 0) return undefined;
  // the release the culprit pins, else the one it resolved to; 'not installed' and the like pin nothing
  const release = pinnedVersion(culprit) ?? version;
  const ver = release && /^\d+\.\d+\.\d+/.test(release) ? `@${release}` : '';
  return `npm install ${packages.map((p) => p + ver).join(' ')}`;
}

const j = (v: unknown): string => JSON.stringify(v);

function tensorLiteral(name: string, t: Tensor, tol?: Tolerance): string {
  return `{ name: ${j(name)}, dtype: ${j(t.dtype)}, shape: ${j(t.shape)}, data: ${j(Array.from(t.data))}${tol ? `, rtol: ${tol.rtol}, atol: ${tol.atol}` : ''} }`;
}

/** How the script runs the model on the culprit: code defining `async function runModel()`. */
async function runner(r: ReproInput): Promise<string> {
  const n = readBackendName(r.culprit);
  if (n.kind === 'command') return commandRunner(n.path);
  const ort = ortNodeFlavour(r.culprit);
  if (ort) {
    const f = ORT_NODE_FLAVOURS[ort];
    return `const ort = need('onnxruntime-node');
const OPTIONS = { executionProviders: [${j(f.provider)}], graphOptimizationLevel: ${j(f.optimization)} };

async function runModel() {
  const session = await ort.InferenceSession.create(fileURLToPath(MODEL), OPTIONS);
  const feeds = Object.fromEntries(INPUTS.map((i) => [i.name, new ort.Tensor(i.dtype, typed(i), i.shape)]));
  const out = await session.run(feeds);
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { dtype: t.type, shape: [...t.dims], data: Array.from(t.data, Number) }]));
}`;
  }
  if (runtimeOf(r.culprit) === 'onnxruntime-web') {
    return `const ort = need('onnxruntime-web');
ort.env.wasm.numThreads = 1;
ort.env.wasm.proxy = false;

async function runModel() {
  const session = await ort.InferenceSession.create(readFileSync(MODEL), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const feeds = Object.fromEntries(INPUTS.map((i) => [i.name, new ort.Tensor(i.dtype, typed(i), i.shape)]));
  const out = await session.run(feeds);
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { dtype: t.type, shape: [...t.dims], data: Array.from(t.data, Number) }]));
}`;
  }
  const tfjs = tfjsFlavour(r.culprit);
  if (tfjs) return tfjsTrace(r.graph, r.feeds, tfjs);
  throw new Error(`no standalone repro for backend ${r.culprit}`);
}

/** The command backend protocol (docs/command-backend.md), with a small TensorProto reader for the outputs. */
function commandRunner(path: string): string {
  return `import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const COMMAND = ${j(path)};
const fileName = (n) => n.replace(/[^A-Za-z0-9._-]/g, (c) => '_' + c.charCodeAt(0).toString(16).padStart(2, '0'));

async function runModel() {
  const d = mkdtempSync(join(tmpdir(), 'repro-'));
  copyFileSync(MODEL, join(d, 'model.onnx'));
  mkdirSync(join(d, 'inputs'));
  mkdirSync(join(d, 'outputs'));
  for (const f of readdirSync(new URL('./inputs/', import.meta.url))) copyFileSync(new URL('./inputs/' + f, import.meta.url), join(d, 'inputs', f));
  const io = {
    inputs: INPUTS.map((i) => ({ name: i.name, file: 'inputs/' + fileName(i.name) + '.pb', dtype: i.dtype, shape: i.shape })),
    outputs: EXPECTED.map((o) => ({ name: o.name, file: 'outputs/' + fileName(o.name) + '.pb', dtype: o.dtype, shape: o.shape })),
  };
  writeFileSync(join(d, 'io.json'), JSON.stringify(io));
  const r = spawnSync(COMMAND, [d], { cwd: d, stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, ONNXSMITH_CASE_DIR: d } });
  if (r.error) throw new Error('cannot run ' + COMMAND + ': ' + r.error.message);
  if (r.signal) throw new Error(COMMAND + ' was killed by ' + r.signal);
  if (r.status !== 0) throw new Error(COMMAND + ' exited ' + r.status + (r.status === 10 ? ' (rejects the model)' : '') + ': ' + String(r.stderr).trim().split('\\n').slice(-3).join(' | '));
  return Object.fromEntries(io.outputs.map((o) => [o.name, readTensorProto(readFileSync(join(d, o.file)))]));
}

// TensorProto fields: dims 1, data_type 2, float_data 4, int32_data 5, int64_data 7, raw_data 9, double_data 10
function readTensorProto(buf) {
  let p = 0;
  const varint = () => { let v = 0n, s = 0n, b; do { b = buf[p++]; v |= BigInt(b & 0x7f) << s; s += 7n; } while (b & 0x80); return BigInt.asIntN(64, v); };
  const dims = [], nums = [];
  let type = 0, raw;
  while (p < buf.length) {
    const key = Number(varint()), field = key >> 3, wire = key & 7;
    if (wire === 0) { const v = varint(); if (field === 1) dims.push(Number(v)); else if (field === 2) type = Number(v); else if (field === 5 || field === 7) nums.push(Number(v)); continue; }
    if (wire === 5) { if (field === 4) nums.push(new DataView(buf.buffer, buf.byteOffset + p).getFloat32(0, true)); p += 4; continue; }
    if (wire === 1) { if (field === 10) nums.push(new DataView(buf.buffer, buf.byteOffset + p).getFloat64(0, true)); p += 8; continue; }
    const len = Number(varint()), body = buf.subarray(p, p + len);
    p += len;
    if (field === 9) raw = body;
    else if (field === 1) { const save = [buf, p]; buf = body; p = 0; while (p < buf.length) dims.push(Number(varint())); [buf, p] = save; }
    else if (field === 4 || field === 10) { const dv = new DataView(body.buffer, body.byteOffset, body.byteLength); for (let k = 0; k < len; k += field === 4 ? 4 : 8) nums.push(field === 4 ? dv.getFloat32(k, true) : dv.getFloat64(k, true)); }
    else if (field === 5 || field === 7) { const save = [buf, p]; buf = body; p = 0; while (p < buf.length) nums.push(Number(varint())); [buf, p] = save; }
  }
  const dtype = { 1: 'float32', 11: 'float64', 6: 'int32', 7: 'int64', 9: 'bool' }[type];
  if (raw) {
    const a = new Uint8Array(raw); // a copy: a Buffer slice would share (and start at) the pool
    const Ctor = { float32: Float32Array, float64: Float64Array, int32: Int32Array, int64: BigInt64Array, bool: Uint8Array }[dtype];
    return { dtype, shape: dims, data: Array.from(new Ctor(a.buffer, 0, a.byteLength / Ctor.BYTES_PER_ELEMENT), Number) };
  }
  return { dtype, shape: dims, data: nums };
}`;
}

/** The whole repro.mjs for a case. */
export async function reproScript(r: ReproInput): Promise<string> {
  const tols = pathTolerances(r.graph, r.tolerances ?? {});
  const inputs = r.graph.inputs.map((i) => tensorLiteral(i.name, r.feeds[i.name]!));
  const expected = r.graph.outputs.map((o) => tensorLiteral(o.name, r.expected[o.name]!, tols.get(o.name) ?? toleranceFor(o.dtype, r.tolerances ?? {})));
  const need = reproRequirement(r.culprit, r.culpritVersion);
  return `#!/usr/bin/env node
// ${r.title}
// Standalone reproduction written by onnxsmith; it does not need onnxsmith.
//   backend: ${r.culprit}${r.culpritVersion ? ` (${r.culpritVersion})` : ''}
//   needs:   ${need ?? 'the command named below'}, and model.onnx next to this file
//   run:     node repro.mjs   (exit 1 while the bug is present, 0 once the outputs match, 2 if a package is missing)
// Expected values come from onnxsmith's float64 reference interpreter; a value matches when
// |actual - expected| <= atol + rtol * |expected| (NaN matches NaN).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const MODEL = new URL('./model.onnx', import.meta.url);
const SYMPTOM = ${j(r.symptom ?? 'unknown')};
const INPUTS = [
  ${inputs.join(',\n  ')},
];
const EXPECTED = [
  ${expected.join(',\n  ')},
];

/** The culprit's package, or a clear message saying what to install. */
function need(pkg) {
  try {
    return createRequire(import.meta.url)(pkg);
  } catch {
    console.error('this repro needs ' + pkg + ': run \`' + ${j(need ?? 'npm install')} + '\` in this folder (or a parent), then run it again');
    process.exit(2);
  }
}

const typed = (t) =>
  t.dtype === 'float32' ? Float32Array.from(t.data) : t.dtype === 'float64' ? Float64Array.from(t.data)
  : t.dtype === 'int32' ? Int32Array.from(t.data) : t.dtype === 'int64' ? BigInt64Array.from(t.data, (v) => BigInt(v))
  : Uint8Array.from(t.data, (v) => (v ? 1 : 0));

${await runner(r)}

function compare(e, a) {
  if (!a) return 'output missing';
  if (a.dtype !== e.dtype) return 'element type ' + a.dtype + ', expected ' + e.dtype;
  if (a.shape.length !== e.shape.length || a.shape.some((d, k) => d !== e.shape[k])) return 'shape [' + a.shape + '], expected [' + e.shape + ']';
  let bad = 0, worst = -1, worstErr = 0;
  e.data.forEach((x, k) => {
    const y = a.data[k];
    const ok = Number.isNaN(x) ? Number.isNaN(y) : x === y || Math.abs(y - x) <= (e.atol ?? 0) + (e.rtol ?? 0) * Math.abs(x);
    if (!ok) { bad++; const err = Number.isNaN(y - x) ? Infinity : Math.abs(y - x); if (worst < 0 || err > worstErr) { worst = k; worstErr = err; } }
  });
  return bad === 0 ? undefined : bad + ' of ' + e.data.length + ' element(s) differ; worst at ' + worst + ': ' + a.data[worst] + ', expected ' + e.data[worst];
}

const show = (xs) => '[' + xs.slice(0, 8).map((v) => (Number.isInteger(v) ? String(v) : v.toPrecision(7))).join(', ') + (xs.length > 8 ? ', ...' : '') + ']';
let actual;
try {
  actual = await runModel();
} catch (e) {
  console.log('the backend failed (' + SYMPTOM + ' expected): ' + (e?.message ?? e));
  console.log('BUG PRESENT');
  process.exit(1);
}
let failures = 0;
for (const e of EXPECTED) {
  const a = actual[e.name];
  const why = compare(e, a);
  console.log(e.name + ': expected ' + show(e.data) + (a ? '\\n' + ' '.repeat(e.name.length) + '  actual   ' + show(a.data) : ''));
  if (why) { failures++; console.log('  MISMATCH: ' + why); }
}
console.log(failures ? 'BUG PRESENT (' + SYMPTOM + ')' : 'outputs match the expected values: the bug is not present');
process.exit(failures ? 1 : 0);
`;
}
