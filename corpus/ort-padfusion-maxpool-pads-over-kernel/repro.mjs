#!/usr/bin/env node
// ort-node-cpu: load-error on Pad, MaxPool
// Standalone reproduction written by onnxsmith; it does not need onnxsmith.
//   backend: ort-node-cpu (1.30.0)
//   needs:   npm install onnxruntime-node@1.30.0, and model.onnx next to this file
//   run:     node repro.mjs   (exit 1 while the bug is present, 0 once the outputs match, 2 if a package is missing)
// Expected values come from onnxsmith's float64 reference interpreter; a value matches when
// |actual - expected| <= atol + rtol * |expected| (NaN matches NaN).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const MODEL = new URL('./model.onnx', import.meta.url);
const SYMPTOM = "load-error";
const INPUTS = [
  ,
];
const EXPECTED = [
  { name: "t16", dtype: "float32", shape: [1,1,1,1,2], data: [0,0], rtol: 0.001, atol: 0.0001 },
];

/** The culprit's package, or a clear message saying what to install. */
function need(pkg) {
  try {
    return createRequire(import.meta.url)(pkg);
  } catch {
    console.error('this repro needs ' + pkg + ': run `' + "npm install onnxruntime-node@1.30.0" + '` in this folder (or a parent), then run it again');
    process.exit(2);
  }
}

const typed = (t) =>
  t.dtype === 'float32' ? Float32Array.from(t.data) : t.dtype === 'float64' ? Float64Array.from(t.data)
  : t.dtype === 'int32' ? Int32Array.from(t.data) : t.dtype === 'int64' ? BigInt64Array.from(t.data, (v) => BigInt(v))
  : Uint8Array.from(t.data, (v) => (v ? 1 : 0));

const ort = need('onnxruntime-node');
const OPTIONS = { executionProviders: ["cpu"], graphOptimizationLevel: "all" };

async function runModel() {
  const session = await ort.InferenceSession.create(fileURLToPath(MODEL), OPTIONS);
  const feeds = Object.fromEntries(INPUTS.map((i) => [i.name, new ort.Tensor(i.dtype, typed(i), i.shape)]));
  const out = await session.run(feeds);
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { dtype: t.type, shape: [...t.dims], data: Array.from(t.data, Number) }]));
}

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
  console.log(e.name + ': expected ' + show(e.data) + (a ? '\n' + ' '.repeat(e.name.length) + '  actual   ' + show(a.data) : ''));
  if (why) { failures++; console.log('  MISMATCH: ' + why); }
}
console.log(failures ? 'BUG PRESENT (' + SYMPTOM + ')' : 'outputs match the expected values: the bug is not present');
process.exit(failures ? 1 : 0);
