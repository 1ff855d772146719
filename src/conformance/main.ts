/**
 * `npm run conformance`: ONNX's node tests (Debian libonnx-testdata) on every backend, with pass counts per
 * backend. Each backend runs in its own worker process, so a crash on one test is counted, not fatal.
 *   node dist/src/conformance/main.js [--backends a,b] [--filter substring] [--markdown] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IsolatedBackend } from '../backends/isolated.js';
import type { Tensor } from '../ir/index.js';
import { allClose, loadNodeTest, NODE_TESTS_DIR, nodeTestNames } from './node-tests.js';

type Status = 'pass' | 'mismatch' | 'load-error' | 'run-error' | 'crash' | 'timeout' | 'unsupported' | 'not-importable';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const backends = (arg('--backends') ?? 'reference,ort-node-cpu,ort-node-cpu-noopt,ort-web-wasm').split(',');
  const filter = arg('--filter');
  const names = nodeTestNames().filter((n) => !filter || n.includes(filter));
  if (names.length === 0) {
    process.stderr.write(`no ONNX node tests under ${NODE_TESTS_DIR} (apt-get install libonnx-testdata)\n`);
    process.exitCode = 2;
    return;
  }
  const cases = names.map((n) => loadNodeTest(n));
  const table: Record<string, Record<Status, number>> = {};
  const details: Record<string, Record<string, string>> = {};
  for (const spec of backends) {
    const b = new IsolatedBackend(spec, { timeoutMs: 30_000 });
    const info = await b.start();
    const counts: Record<Status, number> = { pass: 0, mismatch: 0, 'load-error': 0, 'run-error': 0, crash: 0, timeout: 0, unsupported: 0, 'not-importable': 0 };
    details[spec] = {};
    const t0 = performance.now();
    if (!info.available.ok) {
      process.stderr.write(`${spec}: unavailable: ${info.available.reason}\n`);
      continue;
    }
    for (const c of cases) {
      let status: Status = 'pass';
      if (!c.graph) status = 'not-importable';
      else {
        for (const set of c.sets) {
          const feeds: Record<string, Tensor> = {};
          c.graph.inputs.forEach((inp, i) => {
            if (set.inputs[i]) feeds[inp.name] = set.inputs[i]!;
          });
          const o = await b.run(join(c.dir, 'model.onnx'), c.graph, feeds, c.graph.outputs.map((x) => x.name));
          if (o.kind !== 'ok') {
            status = o.kind;
            details[spec]![c.name] = 'message' in o ? o.message.split('\n')[0]! : o.kind;
            break;
          }
          const bad = c.graph.outputs.map((out, i) => (set.outputs[i] ? allClose(set.outputs[i]!, o.outputs[out.name]!) : 'missing expected output')).find((x) => x);
          if (bad) {
            status = 'mismatch';
            details[spec]![c.name] = bad;
            break;
          }
        }
      }
      counts[status]++;
    }
    await b.close();
    table[`${spec} ${info.version}`] = counts;
    process.stderr.write(`${spec}: ${counts.pass}/${cases.length} pass (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
  }
  const cols: Status[] = ['pass', 'mismatch', 'load-error', 'run-error', 'crash', 'timeout', 'unsupported', 'not-importable'];
  if (process.argv.includes('--markdown')) {
    process.stdout.write(`| backend | ${cols.join(' | ')} |\n|---|${cols.map(() => '---:').join('|')}|\n`);
    for (const [k, v] of Object.entries(table)) process.stdout.write(`| ${k} | ${cols.map((c) => v[c]).join(' | ')} |\n`);
  } else {
    for (const [k, v] of Object.entries(table)) process.stdout.write(`${k}: ${cols.map((c) => `${c} ${v[c]}`).join(', ')}\n`);
  }
  const json = arg('--json');
  if (json) writeFileSync(json, JSON.stringify({ tests: cases.length, table, details }, null, 2));
}

void main();
