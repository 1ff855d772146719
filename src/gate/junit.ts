/**
 * JUnit XML for CI test reports: one suite, one test per case. Only a new failure that no expectation accepts
 * is a <failure>; a case that could not run is an <error> (the gate exits 3 for it); everything else passes,
 * with what happened in <system-out>, because a known bug that is still there is not this change's fault.
 */
import { hostname } from 'node:os';
import { countClasses, isBlocking, verdictLine } from './classify.js';
import { describeRule } from './rules.js';
import { classLabel } from './summary.js';
import type { GateCase, GateReport, SideResult } from './types.js';

/** Escapes text for XML content and attributes; drops characters XML 1.0 cannot hold (ANSI colours in ORT messages). */
export function xmlEscape(s: string): string {
  return s
    .replace(/\u001b\[[0-9;]*m/g, '')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function attrs(a: Record<string, string | number>): string {
  return Object.entries(a)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join('');
}

function sideText(name: string, s: SideResult): string {
  if (s.kind === 'pass') return `${name}: agrees with the reference`;
  if (s.kind === 'not-run') return `${name}: not run (${s.reason})`;
  return `${name}: ${s.symptom} at ${s.stage} time${s.rules.length ? ` [${s.rules.map((r) => r.id).join(', ')}]` : ''}: ${s.detail}`;
}

function testcase(c: GateCase, r: GateReport): string {
  const head = `    <testcase${attrs({ name: c.id, classname: `onnxsmith.gate.${c.source}`, time: (c.ms / 1000).toFixed(3) })}>`;
  const body: string[] = [];
  if (isBlocking(c) && c.candidate.kind === 'fail') {
    const rule = c.candidate.rules[0];
    const message = `new failure on ${r.candidate.spec} ${r.candidate.version}: ${rule ? describeRule(rule) : c.candidate.symptom} (passes on ${r.baseline.spec} ${r.baseline.version})`;
    body.push(`      <failure${attrs({ message, type: c.candidate.symptom })}>${xmlEscape(sideText('candidate', c.candidate))}</failure>`);
  } else if (c.class === 'could-not-run') {
    body.push(`      <error${attrs({ message: `could not run: ${c.reason ?? ''}`, type: 'could-not-run' })}>${xmlEscape(c.reason ?? '')}</error>`);
  }
  const out = [
    `class: ${classLabel(c)}`,
    ...(c.status ? [`status: ${c.status}`] : []),
    ...(c.title ? [`title: ${c.title}`] : []),
    ...(c.expected !== undefined ? [`expected: ${c.expected}`] : []),
    sideText('baseline', c.baseline),
    sideText('candidate', c.candidate),
    `folder: ${c.dir}`,
  ].join('\n');
  body.push(`      <system-out>${xmlEscape(out)}</system-out>`);
  return [head, ...body, '    </testcase>'].join('\n');
}

/** The JUnit XML document for a gate report. */
export function junitXml(r: GateReport): string {
  const n = countClasses(r.cases);
  const failures = r.cases.filter(isBlocking).length;
  const errors = n['could-not-run'];
  const time = (r.ms / 1000).toFixed(3);
  const counts = { tests: r.cases.length, failures, errors, skipped: 0, time };
  const props: Record<string, string> = {
    baseline: r.baseline.spec,
    'baseline.version': r.baseline.version,
    candidate: r.candidate.spec,
    'candidate.version': r.candidate.version,
    ...(r.corpus ? { corpus: r.corpus } : {}),
    ...(r.fuzz ? { 'fuzz.seed': String(r.fuzz.seed), 'fuzz.tested': String(r.fuzz.tested), 'fuzz.failing': String(r.fuzz.failing), 'fuzz.dir': r.fuzz.dir } : {}),
    verdict: verdictLine(r),
  };
  const notes = [...r.stale.map((s) => `stale expectation ${s.id}: ${s.now} (reason given: ${s.reason})`), ...r.problems.map((p) => `problem: ${p}`)];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: 'onnxsmith gate', ...counts })}>`,
    `  <testsuite${attrs({ name: `onnxsmith gate ${r.baseline.spec} -> ${r.candidate.spec}`, ...counts, timestamp: r.startedAt.replace(/\.\d+Z$/, ''), hostname: hostname() })}>`,
    '    <properties>',
    ...Object.entries(props).map(([name, value]) => `      <property${attrs({ name, value })}/>`),
    '    </properties>',
    ...r.cases.map((c) => testcase(c, r)),
    ...(notes.length ? [`    <system-out>${xmlEscape(notes.join('\n'))}</system-out>`] : []),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
