import { describe, expect, it } from 'vitest';
import { junitXml, xmlEscape } from '../../../src/gate/junit.js';
import { sampleReport } from './report.js';
import { findAll, parseXml } from './xml.js';

describe('JUnit writer', () => {
  it('writes one well-formed suite with a test per case and the versions as properties', () => {
    const doc = parseXml(junitXml(sampleReport()));
    expect(doc.name).toBe('testsuites');
    const [suite] = findAll(doc, 'testsuite');
    expect(suite!.attrs).toMatchObject({ tests: '5', failures: '1', errors: '1', skipped: '0', name: 'onnxsmith gate ort-node-cpu@1.30.0 -> ort-node-cpu@1.12.1' });
    const props = Object.fromEntries(findAll(suite!, 'property').map((p) => [p.attrs.name, p.attrs.value]));
    expect(props).toMatchObject({ baseline: 'ort-node-cpu@1.30.0', 'baseline.version': '1.30.0', candidate: 'ort-node-cpu@1.12.1', 'candidate.version': '1.12.1' });
    expect(props.verdict).toMatch(/^gate FAILED/);
    expect(findAll(suite!, 'testcase').map((t) => t.attrs.name)).toEqual(['conv-new', 'reduce-still', 'fixed-one', 'fine', 'broken']);
  });

  it('fails only the unexpected new failure and errors the case that could not run', () => {
    const doc = parseXml(junitXml(sampleReport()));
    const byName = new Map(findAll(doc, 'testcase').map((t) => [t.attrs.name!, t]));
    const failure = findAll(byName.get('conv-new')!, 'failure');
    expect(failure).toHaveLength(1);
    expect(failure[0]!.attrs.message).toMatch(/^new failure on ort-node-cpu@1\.12\.1 1\.12\.1: ort-node-cpu: wrong-value in ConvTranspose/);
    expect(failure[0]!.text).toContain("element 0: 12 vs expected 1 <&>");
    expect(findAll(byName.get('reduce-still')!, 'failure')).toEqual([]);
    expect(findAll(byName.get('broken')!, 'error')[0]!.attrs.message).toBe('could not run: cannot load the case: no model.onnx');
    expect(findAll(byName.get('conv-new')!, 'system-out')[0]!.text).toMatch(/class: NEW FAILURE\nstatus: open upstream\ntitle: ConvTranspose "SAME" <padding>/);
  });

  it('passes an expected new failure, saying why', () => {
    const r = sampleReport();
    const doc = parseXml(junitXml({ ...r, cases: r.cases.map((c) => (c.id === 'conv-new' ? { ...c, expected: 'pinned on purpose' } : c)) }));
    expect(findAll(doc, 'testsuite')[0]!.attrs.failures).toBe('0');
    expect(findAll(doc, 'failure')).toEqual([]);
    expect(doc.text + findAll(doc, 'system-out').map((s) => s.text).join('\n')).toContain('expected: pinned on purpose');
  });

  it('escapes XML specials and drops control characters (ANSI colours in runtime messages)', () => {
    expect(xmlEscape(`a<b>&"c'\u001b[31mred\u001b[0m\u0007`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;red');
    const xml = junitXml(sampleReport());
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(() => parseXml(xml)).not.toThrow();
  });

  it('the XML check itself rejects broken documents', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(/closes/);
    expect(() => parseXml('<a>x & y</a>')).toThrow(/bare &/);
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(/duplicate/);
    expect(() => parseXml('<a>')).toThrow(/never closed/);
  });
});
