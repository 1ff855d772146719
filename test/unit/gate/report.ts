/** A synthetic gate report with one case of every class, for the writer tests. */
import { join } from 'node:path';
import type { GateCase, GateReport, Rule, SideResult } from '../../../src/gate/types.js';

export const ROOT = '/repo';

export const convRule: Rule = {
  id: 'wrong-value/ConvTranspose/06b7449d',
  name: 'ConvTransposeWrongValue',
  key: 'ort-node-cpu|wrong-value|run|ConvTranspose:float32',
  backend: 'ort-node-cpu',
  symptom: 'wrong-value',
  stage: 'run',
  op: 'ConvTranspose',
  dtype: 'float32',
};

export const reduceRule: Rule = {
  id: 'run-error/ReduceSum/8c99aa38',
  name: 'ReduceSumRunError',
  key: "ort-node-cpu|run-error|run|ReduceSum:Non-zero status code returned while running ReduceSum node. Name:'<name>'",
  backend: 'ort-node-cpu',
  symptom: 'run-error',
  stage: 'run',
  op: 'ReduceSum',
};

export const pass: SideResult = { kind: 'pass' };
export const convFail: SideResult = { kind: 'fail', symptom: 'wrong-value', stage: 'run', detail: "output 'y': 3 element(s) off; element 0: 12 vs expected 1 <&>", rules: [convRule] };
export const reduceFail: SideResult = { kind: 'fail', symptom: 'run-error', stage: 'run', detail: 'axes_tensor != nullptr was false. \u001b[31mAxes input is null\u001b[0m', rules: [reduceRule] };

function gc(id: string, over: Partial<GateCase> & Pick<GateCase, 'baseline' | 'candidate' | 'class'>): GateCase {
  return { id, source: 'corpus', dir: join(ROOT, 'corpus', id), status: 'open upstream', ms: 120, ...over };
}

/** Every class once, the new failure unexpected. */
export function sampleReport(cases?: GateCase[]): GateReport {
  return {
    baseline: { spec: 'ort-node-cpu@1.30.0', version: '1.30.0' },
    candidate: { spec: 'ort-node-cpu@1.12.1', version: '1.12.1' },
    corpus: join(ROOT, 'corpus'),
    cases: cases ?? [
      gc('conv-new', { baseline: pass, candidate: convFail, class: 'new-failure', title: 'ConvTranspose "SAME" <padding>' }),
      gc('reduce-still', { baseline: reduceFail, candidate: reduceFail, class: 'still-failing' }),
      gc('fixed-one', { baseline: convFail, candidate: pass, class: 'fixed' }),
      gc('fine', { baseline: pass, candidate: pass, class: 'passing' }),
      gc('broken', { baseline: { kind: 'not-run', reason: 'not loaded' }, candidate: { kind: 'not-run', reason: 'not loaded' }, class: 'could-not-run', reason: 'cannot load the case: no model.onnx' }),
    ],
    stale: [],
    problems: [],
    startedAt: '2026-11-27T10:00:00.000Z',
    ms: 2500,
  };
}
