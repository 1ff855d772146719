import { describe, expect, it } from 'vitest';
import { classify, compareVersions, countClasses, gateExitCode, statusContradiction, verdictLine } from '../../../src/gate/classify.js';
import type { SideResult } from '../../../src/gate/types.js';
import { convFail, pass, reduceFail, sampleReport } from './report.js';

const notRun = (reason: string): SideResult => ({ kind: 'not-run', reason });

describe('classify', () => {
  it('names the four comparisons', () => {
    expect(classify(pass, convFail).class).toBe('new-failure');
    expect(classify(convFail, pass).class).toBe('fixed');
    expect(classify(convFail, convFail)).toEqual({ class: 'still-failing' });
    expect(classify(pass, pass).class).toBe('passing');
  });

  it('marks a still-failing case whose rules changed', () => {
    expect(classify(convFail, reduceFail)).toEqual({ class: 'still-failing', changed: true });
  });

  it('never turns a side that did not run into a pass', () => {
    expect(classify(pass, notRun('unsupported dtype'))).toEqual({ class: 'could-not-run', reason: 'candidate: unsupported dtype' });
    expect(classify(notRun('x'), convFail).class).toBe('could-not-run');
    expect(classify(notRun('the reference failed'), notRun('the reference failed')).reason).toBe('the reference failed');
  });

  it('lets a load problem outrank the sides', () => {
    expect(classify(pass, pass, 'cannot load the case')).toEqual({ class: 'could-not-run', reason: 'cannot load the case' });
  });
});

describe('exit code and verdict', () => {
  it('fails on an unexpected new failure even when another case could not run', () => {
    const r = sampleReport();
    expect(gateExitCode(r)).toBe(1);
    expect(verdictLine(r)).toMatch(/^gate FAILED .*1 new failure, 1 fixed, 1 still failing, 1 passing, 1 could not run \(new: conv-new\)/);
  });

  it('exits 3 when nothing new fails but a case could not run, 0 when everything ran', () => {
    const r = sampleReport();
    const accepted = { ...r, cases: r.cases.map((c) => (c.class === 'new-failure' ? { ...c, expected: 'known' } : c)) };
    expect(gateExitCode(accepted)).toBe(3);
    expect(verdictLine(accepted)).toMatch(/^gate COULD NOT RUN .*0 new failures, 1 expected/);
    const clean = { ...accepted, cases: accepted.cases.filter((c) => c.class !== 'could-not-run') };
    expect(gateExitCode(clean)).toBe(0);
    expect(verdictLine(clean)).toMatch(/^gate passed for ort-node-cpu@1\.30\.0 \(1\.30\.0\) -> ort-node-cpu@1\.12\.1 \(1\.12\.1\)/);
    expect(gateExitCode({ ...clean, problems: ['the corpus is empty'] })).toBe(3);
  });

  it('counts expected new failures apart', () => {
    const r = sampleReport();
    const n = countClasses(r.cases.map((c) => (c.class === 'new-failure' ? { ...c, expected: 'ok' } : c)));
    expect(n).toEqual({ 'new-failure': 0, expected: 1, 'still-failing': 1, fixed: 1, passing: 1, 'could-not-run': 1 });
  });
});

describe('statusContradiction', () => {
  const v = { baseline: '1.12.1', candidate: '1.30.0' };
  it('flags a case said to be fixed in a release it still fails on', () => {
    expect(statusContradiction({ status: 'fixed in 1.13.0', baseline: convFail, candidate: convFail }, v)).toBe('its status says fixed in 1.13.0, but it fails on 1.30.0 (candidate)');
    expect(statusContradiction({ status: 'fixed upstream in 1.13 (announced by its own warning)', baseline: convFail, candidate: convFail }, v)).toMatch(/fixed in 1.13, but it fails on 1.30.0 \(candidate\)$/);
    expect(statusContradiction({ status: 'fixed in 1.12.1', baseline: convFail, candidate: pass }, v)).toMatch(/fails on 1.12.1 \(baseline\)$/);
  });

  it('stays quiet when the status agrees with the runs, or names no release', () => {
    expect(statusContradiction({ status: 'fixed in 1.13.0', baseline: convFail, candidate: pass }, v)).toBeUndefined();
    expect(statusContradiction({ status: 'fixed upstream (fails in 1.12.1, passes in 1.30.0)', baseline: convFail, candidate: pass }, v)).toBeUndefined();
    expect(statusContradiction({ status: 'open upstream', baseline: convFail, candidate: convFail }, v)).toBeUndefined();
    expect(statusContradiction({ baseline: convFail, candidate: convFail }, v)).toBeUndefined();
  });

  it('compares releases by number, not as text', () => {
    expect(compareVersions('1.13', '1.13.0')).toBe(0);
    expect(compareVersions('1.9.0', '1.13.0')).toBeLessThan(0);
    expect(compareVersions('1.30.0', '1.13.1')).toBeGreaterThan(0);
  });
});
