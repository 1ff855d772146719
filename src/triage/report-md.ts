/**
 * report.md: a ready-to-paste upstream issue body for a finding: what goes wrong, versions, the graph in words
 * and drawn (a Mermaid flowchart, which GitHub and GitLab render), expected against actual, and how to run the
 * standalone repro.
 */
import { arch, platform } from 'node:os';
import type { Graph, Tensor } from '../ir/index.js';
import { formatType } from '../ir/index.js';
import { displayName } from '../backends/names.js';
import { reproRequirement } from './repro.js';

export interface ReportInput {
  readonly graph: Graph;
  readonly feeds: Readonly<Record<string, Tensor>>;
  readonly expected: Readonly<Record<string, Tensor>>;
  /** The culprit's outputs, when it produced any. */
  readonly actual?: Readonly<Record<string, Tensor>>;
  readonly culprit: string;
  readonly culpritVersion?: string;
  readonly symptom: string;
  readonly stage?: string;
  readonly detail: string;
  /** Other backends and whether they agree with the reference. */
  readonly others: readonly { readonly backend: string; readonly version: string; readonly agrees: boolean }[];
  readonly reducedFrom?: number;
  readonly hasRepro: boolean;
  readonly caseDir?: string;
}

const SYMPTOM_WORDS: Record<string, string> = {
  'wrong-value': 'wrong values',
  'nan-inf': 'NaN or Inf where the result is finite',
  shape: 'an output of the wrong shape',
  dtype: 'an output of the wrong element type',
  crash: 'a crash',
  timeout: 'a hang',
  'load-error': 'a valid model rejected at load time',
  'run-error': 'an error while running a valid model',
};

/** What a culprit name means, in the terms of its own project. */
export function describeBackend(name: string, version?: string): string {
  return displayName(name, version);
}

const clip = (xs: ArrayLike<number>, n = 6): string => {
  const a = Array.from(xs).slice(0, n).map((x) => (Number.isInteger(x) ? String(x) : x.toPrecision(6)));
  return `[${a.join(', ')}${xs.length > n ? ', …' : ''}]`;
};

/** The graph in words: one line per node, with the types of what it reads and writes. */
export function graphInWords(g: Graph, feeds: Readonly<Record<string, Tensor>>): string[] {
  const types = new Map([...g.inputs, ...g.initializers, ...g.valueInfo, ...g.outputs].map((v) => [v.name, v]));
  const lines: string[] = [];
  for (const i of g.inputs) lines.push(`- input \`${i.name}\`: ${formatType(i)} = ${clip(feeds[i.name]?.data ?? [])}`);
  for (const i of g.initializers) lines.push(`- ${i.kind === 'constant' ? 'constant' : 'weight'} \`${i.name}\`: ${formatType(i)} = ${clip(i.data)}`);
  for (const n of g.nodes) {
    const attrs = Object.entries(n.attrs).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    const ins = n.inputs.map((x) => (x === '' ? '(none)' : `\`${x}\``)).join(', ');
    const outs = n.outputs.filter((x) => x !== '').map((x) => `\`${x}\`: ${types.get(x) ? formatType(types.get(x)!) : '?'}`);
    lines.push(`- ${outs.join(', ')} = **${n.op}**(${ins})${attrs.length ? ` with ${attrs.join(', ')}` : ''}`);
  }
  lines.push(`- graph output${g.outputs.length > 1 ? 's' : ''}: ${g.outputs.map((o) => `\`${o.name}\``).join(', ')}`);
  return lines;
}

/** The graph drawn as a Mermaid flowchart: tensors on the edges, with their types. */
export function mermaid(g: Graph): string {
  const id = (s: string): string => s.replace(/[^A-Za-z0-9_]/g, '_');
  const esc = (s: string): string => s.replace(/"/g, "'");
  const types = new Map([...g.inputs, ...g.initializers, ...g.valueInfo, ...g.outputs].map((v) => [v.name, v]));
  const producer = new Map<string, string>();
  const lines = ['flowchart TD'];
  for (const i of g.inputs) lines.push(`  in_${id(i.name)}(["${esc(i.name)}"])`);
  for (const i of g.initializers) lines.push(`  in_${id(i.name)}[/"${esc(i.name)} (${i.kind})"/]`);
  g.nodes.forEach((n, k) => {
    lines.push(`  n${k}["${esc(n.op)}"]`);
    for (const o of n.outputs) if (o !== '') producer.set(o, `n${k}`);
  });
  const label = (t: string): string => `"${esc(t)}: ${types.get(t) ? esc(formatType(types.get(t)!)) : '?'}"`;
  g.nodes.forEach((n, k) => {
    for (const x of n.inputs) if (x !== '') lines.push(`  ${producer.get(x) ?? `in_${id(x)}`} -->|${label(x)}| n${k}`);
  });
  for (const o of g.outputs) {
    lines.push(`  out_${id(o.name)}(["${esc(o.name)}"])`);
    lines.push(`  ${producer.get(o.name) ?? `in_${id(o.name)}`} -->|${label(o.name)}| out_${id(o.name)}`);
  }
  return lines.join('\n');
}

export function reportMarkdown(r: ReportInput): string {
  const what = SYMPTOM_WORDS[r.symptom] ?? r.symptom;
  const ops = [...new Set(r.graph.nodes.map((n) => n.op))];
  const project = describeBackend(r.culprit, r.culpritVersion);
  const out: string[] = [];
  out.push(`# ${ops.join(' → ')}: ${what} on ${project.split(',')[0]}`, '');
  out.push(
    `A valid ONNX model (opset ${r.graph.opset}) of ${r.graph.nodes.length} node${r.graph.nodes.length === 1 ? '' : 's'} gives ${what} on ${project}` +
      `${r.stage ? ` (at ${r.stage === 'load' ? 'session creation' : 'run time'})` : ''}.`,
    '',
  );
  const agree = r.others.filter((o) => o.agrees);
  if (agree.length) out.push(`Other implementations agree with the expected result: ${agree.map((o) => `${describeBackend(o.backend, o.version)}`).join('; ')}.`, '');
  out.push('```', r.detail.split('\n').slice(0, 6).join('\n'), '```', '');
  out.push('## Environment', '', `- ${project}`, `- Node.js ${process.version}, ${platform()} ${arch()}`);
  out.push(`- Found by onnxsmith, a differential fuzzer for ONNX runtimes (a generated graph${r.reducedFrom ? `, reduced from ${r.reducedFrom} to ${r.graph.nodes.length} nodes` : ''})`, '');
  out.push('## Model', '', ...graphInWords(r.graph, r.feeds), '', '```mermaid', mermaid(r.graph), '```', '');
  out.push('## Expected and actual', '');
  out.push('Expected values come from a float64 reference implementation of the ONNX specification.', '');
  out.push('| output | expected | actual |', '|---|---|---|');
  for (const o of r.graph.outputs) {
    const e = r.expected[o.name];
    const a = r.actual?.[o.name];
    out.push(`| \`${o.name}\` ${formatType(o)} | ${e ? clip(e.data) : '?'} | ${a ? `${clip(a.data)}${a.shape.join(',') !== o.shape.join(',') ? ` (shape [${a.shape.join(', ')}])` : ''}` : `(${what})`} |`);
  }
  out.push('', '## How to reproduce', '');
  if (r.hasRepro) {
    const need = reproRequirement(r.culprit, r.culpritVersion);
    out.push('In a folder holding `model.onnx` and `repro.mjs` from this report:', '', '```sh');
    if (need) out.push(need);
    out.push('node repro.mjs', '```', '', 'It prints expected and actual values and exits 1 while the bug is present (0 once it is fixed).');
  } else {
    out.push('No standalone script could be written for this backend; with onnxsmith installed:', '', '```sh', `npx onnxsmith replay ${r.caseDir ?? 'CASE'}`, '```');
  }
  return out.join('\n') + '\n';
}
