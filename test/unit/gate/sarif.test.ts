import { describe, expect, it } from 'vitest';
import { sarifLog } from '../../../src/gate/sarif.js';
import { ROOT, sampleReport } from './report.js';
import { sarifErrors } from './sarif-schema.js';

interface Result {
  ruleId?: string;
  ruleIndex?: number;
  level: string;
  baselineState: string;
  locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }[];
  suppressions?: { kind: string; status: string; justification: string }[];
  properties: { case: string };
}
interface Run {
  tool: { driver: { name: string; version: string; rules: { id: string; name: string }[] } };
  results: Result[];
  invocations: { executionSuccessful: boolean; exitCode: number }[];
  originalUriBaseIds: Record<string, { uri: string }>;
}

const runOf = (log: Record<string, unknown>): Run => (log.runs as Run[])[0]!;

describe('SARIF writer', () => {
  it('writes a log that the official SARIF 2.1.0 schema accepts', () => {
    const log = sarifLog(sampleReport(), { root: ROOT, toolVersion: '0.1.0' });
    expect(sarifErrors(log)).toEqual([]);
    expect(log.version).toBe('2.1.0');
    const run = runOf(log);
    expect(run.tool.driver).toMatchObject({ name: 'onnxsmith', version: '0.1.0' });
  });

  it('reports the candidate failures: error for new, note for still failing, none for fixed or passing', () => {
    const run = runOf(sarifLog(sampleReport(), { root: ROOT, toolVersion: '0.1.0' }));
    expect(run.results.map((r) => [r.properties.case, r.level, r.baselineState, r.ruleId])).toEqual([
      ['conv-new', 'error', 'new', 'wrong-value/ConvTranspose/06b7449d'],
      ['reduce-still', 'note', 'unchanged', 'run-error/ReduceSum/8c99aa38'],
    ]);
    const rules = run.tool.driver.rules;
    expect(rules.map((r) => [r.id, r.name])).toEqual([
      ['run-error/ReduceSum/8c99aa38', 'ReduceSumRunError'],
      ['wrong-value/ConvTranspose/06b7449d', 'ConvTransposeWrongValue'],
    ]);
    for (const r of run.results) expect(rules[r.ruleIndex!]!.id).toBe(r.ruleId);
    expect(run.invocations[0]).toMatchObject({ executionSuccessful: true, exitCode: 1 });
  });

  it('points at model.onnx relative to the repository root', () => {
    const run = runOf(sarifLog(sampleReport(), { root: ROOT, toolVersion: '0.1.0' }));
    expect(run.results[0]!.locations[0]!.physicalLocation.artifactLocation).toEqual({ uri: 'corpus/conv-new/model.onnx', uriBaseId: '%SRCROOT%' });
    expect(run.originalUriBaseIds['%SRCROOT%']!.uri).toBe('file:///repo/');
    const outside = runOf(sarifLog(sampleReport(), { root: '/elsewhere', toolVersion: '0.1.0' }));
    expect(outside.results[0]!.locations[0]!.physicalLocation.artifactLocation).toEqual({ uri: 'file:///repo/corpus/conv-new/model.onnx' });
  });

  it('turns an expected new failure into a warning with an accepted suppression', () => {
    const r = sampleReport();
    const log = sarifLog({ ...r, cases: r.cases.map((c) => (c.id === 'conv-new' ? { ...c, expected: 'pinned on purpose' } : c)) }, { root: ROOT, toolVersion: '0.1.0' });
    expect(sarifErrors(log)).toEqual([]);
    const res = runOf(log).results[0]!;
    expect(res.level).toBe('warning');
    expect(res.suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: 'pinned on purpose' }]);
  });

  it('stays valid with no results and a gate that could not run', () => {
    const r = sampleReport([]);
    const log = sarifLog({ ...r, problems: ['the corpus is empty'] }, { root: ROOT, toolVersion: '0.1.0' });
    expect(sarifErrors(log)).toEqual([]);
    expect(runOf(log).invocations[0]).toMatchObject({ executionSuccessful: false, exitCode: 3 });
  });

  it('the schema check itself rejects a broken log', () => {
    expect(sarifErrors({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, level: 'fatal' }] }] }).length).toBeGreaterThan(0);
    expect(sarifErrors({ version: '2.0.0', runs: [] }).length).toBeGreaterThan(0);
  });
});
