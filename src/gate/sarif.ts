/**
 * SARIF 2.1.0 for code-scanning views: one rule per bucket (stable id from the version-free bucket key), one
 * result per failing rule of each case that fails on the candidate. A new failure is an error; one the
 * expectations accept is a warning carrying an external, accepted suppression with the reason; a bug that was
 * already there is a note. Locations point at the case's model.onnx relative to the working folder (%SRCROOT%),
 * so a CI checkout links it to the repository.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gateExitCode, verdictLine } from './classify.js';
import { describeRule } from './rules.js';
import { hashOf } from '../triage/evaluate.js';
import type { GateCase, GateReport, Rule } from './types.js';

/** Where SARIF 2.1.0's schema lives (the OASIS errata 01 text). */
export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

export interface SarifOptions {
  /** Folder the locations are relative to (%SRCROOT%); the repository root in CI. */
  readonly root: string;
  /** onnxsmith's version, for tool.driver.version. */
  readonly toolVersion: string;
}

type Json = Record<string, unknown>;

function artifactLocation(file: string, root: string): Json {
  const rel = relative(root, file);
  if (rel && !rel.startsWith('..') && !isAbsolute(rel)) {
    return { uri: rel.split(sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
  }
  // outside the checkout (a temporary fuzz folder): an absolute file URI is still a valid, openable location
  return { uri: pathToFileURL(file).href };
}

function ruleDescriptor(r: Rule): Json {
  return {
    id: r.id,
    name: r.name,
    shortDescription: { text: describeRule(r) },
    fullDescription: { text: `onnxsmith bucket ${r.key}` },
    defaultConfiguration: { level: 'warning' },
    properties: { backend: r.backend, symptom: r.symptom, stage: r.stage, ...(r.op ? { op: r.op } : {}), ...(r.dtype ? { dtype: r.dtype } : {}), tags: ['onnxsmith', r.symptom] },
  };
}

function resultsOf(c: GateCase, r: GateReport, ruleIndex: Map<string, number>, root: string): Json[] {
  if (c.candidate.kind !== 'fail') return [];
  const cand = c.candidate;
  const isNew = c.class === 'new-failure';
  const level = isNew ? (c.expected !== undefined ? 'warning' : 'error') : 'note';
  const baselineState = isNew ? 'new' : c.changed ? 'updated' : 'unchanged';
  const what = isNew ? `new failure: passes on ${r.baseline.spec} ${r.baseline.version}, fails on ${r.candidate.spec} ${r.candidate.version}` : `still failing on ${r.candidate.spec} ${r.candidate.version} (failed on the baseline too)`;
  // a failure without a bucket (no hit recorded) still gets a result, just without a rule
  return (cand.rules.length > 0 ? cand.rules : [undefined]).map((rule) => {
    const detail = cand.detail.split('\n')[0]!.slice(0, 500);
    return {
      ...(rule ? { ruleId: rule.id, ruleIndex: ruleIndex.get(rule.id)! } : {}),
      kind: 'fail',
      level,
      message: { text: `${c.id}: ${cand.symptom} at ${cand.stage} time${rule?.op ? ` in ${rule.op}` : ''}. ${what}. ${detail}` },
      locations: [{ physicalLocation: { artifactLocation: artifactLocation(`${c.dir}${sep}model.onnx`, root) } }],
      partialFingerprints: { 'onnxsmithCase/v1': hashOf(`${c.id}|${rule?.id ?? cand.symptom}`).slice(0, 32) },
      baselineState,
      ...(c.expected !== undefined ? { suppressions: [{ kind: 'external', status: 'accepted', justification: c.expected }] } : {}),
      properties: { case: c.id, class: c.class, ...(c.status ? { status: c.status } : {}), ...(c.title ? { title: c.title } : {}), source: c.source },
    };
  });
}

/** The SARIF log object for a gate report (serialise with JSON.stringify). */
export function sarifLog(r: GateReport, o: SarifOptions): Json {
  const rules = new Map<string, Rule>();
  for (const c of r.cases) if (c.candidate.kind === 'fail') for (const x of c.candidate.rules) rules.set(x.id, x);
  const ordered = [...rules.values()].sort((a, b) => a.id.localeCompare(b.id));
  const ruleIndex = new Map(ordered.map((x, i) => [x.id, i]));
  const exit = gateExitCode(r);
  const end = new Date(Date.parse(r.startedAt) + r.ms).toISOString();
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'onnxsmith', version: o.toolVersion, semanticVersion: o.toolVersion, rules: ordered.map(ruleDescriptor) } },
        automationDetails: { id: `onnxsmith-gate/${r.candidate.spec}/` },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(o.root).href.replace(/\/?$/, '/') } },
        invocations: [
          {
            executionSuccessful: exit !== 3,
            exitCode: exit,
            exitCodeDescription: verdictLine(r),
            startTimeUtc: r.startedAt,
            endTimeUtc: end,
            toolExecutionNotifications: [
              ...r.cases.filter((c) => c.class === 'could-not-run').map((c) => ({ level: 'error', message: { text: `${c.id} could not run: ${c.reason ?? ''}` } })),
              ...r.stale.map((s) => ({ level: 'warning', message: { text: `stale expectation ${s.id}: no new failure matches it (${s.now})` } })),
              ...r.problems.map((p) => ({ level: 'error', message: { text: p } })),
            ],
          },
        ],
        results: r.cases.flatMap((c) => resultsOf(c, r, ruleIndex, o.root)),
        properties: { baseline: r.baseline, candidate: r.candidate, verdict: verdictLine(r) },
      },
    ],
  };
}

