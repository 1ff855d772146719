#!/usr/bin/env node
// tfjs-wasm: wrong-value on MaxPool
// Standalone reproduction written by onnxsmith; it does not need onnxsmith.
//   backend: tfjs-wasm (4.22.0)
//   needs:   npm install @tensorflow/tfjs-core@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0, and model.onnx next to this file
//   run:     node repro.mjs   (exit 1 while the bug is present, 0 once the outputs match, 2 if a package is missing)
// Expected values come from onnxsmith's float64 reference interpreter; a value matches when
// |actual - expected| <= atol + rtol * |expected| (NaN matches NaN).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const MODEL = new URL('./model.onnx', import.meta.url);
const SYMPTOM = "wrong-value";
const INPUTS = [
  { name: "t7", dtype: "float32", shape: [6,1,4,10,1], data: [-2,-2,-2,-2,-3,-2,-3,2,-4,-4,-2,-2,-2,-2,-3,-2,-3,2,-4,-4,-5,-5,-5,0.6,0.2,-3,-1,-2,-3,-3,-5,-5,-5,0.6,0.2,-3,-1,-2,-3,-3,-2,-2,-2,-2,-3,-2,-3,2,-4,-4,-2,-2,-2,-2,-3,-2,-3,2,-4,-4,-5,-5,-5,0.6,0.2,-3,-1,-2,-3,-3,-5,-5,-5,0.6,0.2,-3,-1,-2,-3,-3,-2,-2,-2,2,0.02,-0.7,-2,2,-3,-3,-2,-2,-2,2,0.02,-0.7,-2,2,-3,-3,0.6,0.6,0.6,-0.5,-2,-3,1,-2,-1,-1,0.6,0.6,0.6,-0.5,-2,-3,1,-2,-1,-1,-3,-3,-3,-3,-3,-1,-0.7,-0.4,-3,-3,-3,-3,-3,-3,-3,-1,-0.7,-0.4,-3,-3,0.7,0.7,0.7,-4,-2,-3,-1,-2,-2,-2,0.7,0.7,0.7,-4,-2,-3,-1,-2,-2,-2,1,1,1,0.2,-0.6,-2,-4,0.8,-0.4,-0.4,1,1,1,0.2,-0.6,-2,-4,0.8,-0.4,-0.4,-0.2,-0.2,-0.2,-1,-0.02,0.2,2,-4,-3,-3,-0.2,-0.2,-0.2,-1,-0.02,0.2,2,-4,-3,-3,1,1,1,0.2,-0.6,-2,-4,0.8,-0.4,-0.4,1,1,1,0.2,-0.6,-2,-4,0.8,-0.4,-0.4,-0.2,-0.2,-0.2,-1,-0.02,0.2,2,-4,-3,-3,-0.2,-0.2,-0.2,-1,-0.02,0.2,2,-4,-3,-3] },
];
const EXPECTED = [
  { name: "t11", dtype: "float32", shape: [6,1,1,3,1], data: [0.6,0.6,2,0.6,0.6,2,2,2,2,0.7,-0.7,-0.4,1,2,2,1,2,2], rtol: 0.001, atol: 0.0001 },
];

/** The culprit's package, or a clear message saying what to install. */
function need(pkg) {
  try {
    return createRequire(import.meta.url)(pkg);
  } catch {
    console.error('this repro needs ' + pkg + ': run `' + "npm install @tensorflow/tfjs-core@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0" + '` in this folder (or a parent), then run it again');
    process.exit(2);
  }
}

const typed = (t) =>
  t.dtype === 'float32' ? Float32Array.from(t.data) : t.dtype === 'float64' ? Float64Array.from(t.data)
  : t.dtype === 'int32' ? Int32Array.from(t.data) : t.dtype === 'int64' ? BigInt64Array.from(t.data, (v) => BigInt(v))
  : Uint8Array.from(t.data, (v) => (v ? 1 : 0));

// tfjs has no ONNX loader: the graph in model.onnx, lowered to tfjs ops as onnxsmith runs it
const tf = need('@tensorflow/tfjs-core');
const { setWasmPaths } = need('@tensorflow/tfjs-backend-wasm');
setWasmPaths(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json').replace(/package\.json$/, 'dist/'));
await tf.setBackend('wasm');

async function runModel() {
  // t7
  const t0 = tf.tensor(Float32Array.from([-2,-2,-2,-2,-3,-2,-3,2,-4,-4,-2,-2,-2,-2,-3,-2,-3,2,-4,-4,-5,-5,-5,0.6000000238418579,0.20000000298023224,-3,-1,-2,-3,-3,-5,-5,-5,0.6000000238418579,0.20000000298023224,-3,-1,-2,-3,-3,-2,-2,-2,-2,-3,-2,-3,2,-4,-4,-2,-2,-2,-2,-3,-2,-3,2,-4,-4,-5,-5,-5,0.6000000238418579,0.20000000298023224,-3,-1,-2,-3,-3,-5,-5,-5,0.6000000238418579,0.20000000298023224,-3,-1,-2,-3,-3,-2,-2,-2,2,0.019999999552965164,-0.699999988079071,-2,2,-3,-3,-2,-2,-2,2,0.019999999552965164,-0.699999988079071,-2,2,-3,-3,0.6000000238418579,0.6000000238418579,0.6000000238418579,-0.5,-2,-3,1,-2,-1,-1,0.6000000238418579,0.6000000238418579,0.6000000238418579,-0.5,-2,-3,1,-2,-1,-1,-3,-3,-3,-3,-3,-1,-0.699999988079071,-0.4000000059604645,-3,-3,-3,-3,-3,-3,-3,-1,-0.699999988079071,-0.4000000059604645,-3,-3,0.699999988079071,0.699999988079071,0.699999988079071,-4,-2,-3,-1,-2,-2,-2,0.699999988079071,0.699999988079071,0.699999988079071,-4,-2,-3,-1,-2,-2,-2,1,1,1,0.20000000298023224,-0.6000000238418579,-2,-4,0.800000011920929,-0.4000000059604645,-0.4000000059604645,1,1,1,0.20000000298023224,-0.6000000238418579,-2,-4,0.800000011920929,-0.4000000059604645,-0.4000000059604645,-0.20000000298023224,-0.20000000298023224,-0.20000000298023224,-1,-0.019999999552965164,0.20000000298023224,2,-4,-3,-3,-0.20000000298023224,-0.20000000298023224,-0.20000000298023224,-1,-0.019999999552965164,0.20000000298023224,2,-4,-3,-3,1,1,1,0.20000000298023224,-0.6000000238418579,-2,-4,0.800000011920929,-0.4000000059604645,-0.4000000059604645,1,1,1,0.20000000298023224,-0.6000000238418579,-2,-4,0.800000011920929,-0.4000000059604645,-0.4000000059604645,-0.20000000298023224,-0.20000000298023224,-0.20000000298023224,-1,-0.019999999552965164,0.20000000298023224,2,-4,-3,-3,-0.20000000298023224,-0.20000000298023224,-0.20000000298023224,-1,-0.019999999552965164,0.20000000298023224,2,-4,-3,-3]), [6, 1, 4, 10, 1], "float32");
  // the graph
  const t1 = tf.transpose(t0, [0, 2, 3, 4, 1]);
  const t2 = tf.pad(t1, [[0, 0], [0, 0], [0, 0], [0, 0], [0, 0]], -Infinity);
  const t3 = tf.spaceToBatchND(t2, [3, 1, 2], [[0, 2], [0, 0], [0, 1]]);
  const t4 = tf.maxPool3d(t3, [2, 4, 1], [1, 1, 1], "valid");
  const t5 = tf.batchToSpaceND(t4, [3, 1, 2], [[0, 2], [0, 0], [0, 1]]);
  const t6 = tf.pad(t5, [[0, 0], [0, 2], [0, 0], [0, 0], [0, 0]]);
  const t7 = tf.reshape(t6, [6, 1, 3, 7, 1, 1]);
  const t8 = tf.slice(t7, [0, 0, 0, 0, 0, 0], [6, 1, 1, 7, 1, 1]);
  const t9 = tf.reshape(t8, [6, 1, 7, 1, 1]);
  const t10 = tf.pad(t9, [[0, 0], [0, 0], [0, 2], [0, 0], [0, 0]]);
  const t11 = tf.reshape(t10, [6, 1, 3, 3, 1, 1]);
  const t12 = tf.slice(t11, [0, 0, 0, 0, 0, 0], [6, 1, 3, 1, 1, 1]);
  const t13 = tf.reshape(t12, [6, 1, 3, 1, 1]);
  const t14 = tf.pad(t13, [[0, 0], [0, 0], [0, 0], [0, 1], [0, 0]]);
  const t15 = tf.reshape(t14, [6, 1, 3, 1, 2, 1]);
  const t16 = tf.slice(t15, [0, 0, 0, 0, 0, 0], [6, 1, 3, 1, 1, 1]);
  const t17 = tf.reshape(t16, [6, 1, 3, 1, 1]);
  const t18 = tf.transpose(t17, [0, 4, 1, 2, 3]);
  return {
    "t11": { dtype: "float32", shape: [...t18.shape], data: Array.from(await t18.data(), Number) },
  };
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
