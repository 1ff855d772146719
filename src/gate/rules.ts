/**
 * Rule ids for the gate's outputs. A CI system tracks a finding by its rule id across runs, so the id must not
 * change when the version under test does: it is built from the campaign's bucket key with the backend's
 * `@version` removed.
 */
import { backendBase } from '../backends/names.js';
import { bucketKey } from '../campaign/bucket.js';
import { hashOf, type Hit } from '../triage/evaluate.js';
import type { Rule } from './types.js';

export { backendBase };

function pascal(s: string): string {
  return s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/**
 * A crash's detail ends with the worker's last stderr lines, which can hold log lines left by earlier cases
 * (onnxruntime 1.12.1 prints a ConvTranspose warning once per process); they would make the same crash look like
 * a new bucket, so the rule keeps only the signal part.
 */
function stableMessage(hit: Hit): string {
  if (hit.symptom !== 'crash') return hit.detail;
  const m = /^[\s\S]*?worker died \([^)]*\)/.exec(hit.detail);
  return m ? m[0] : hit.detail;
}

/** The rule a bucket hit belongs to. */
export function ruleOf(hit: Hit): Rule {
  const backend = backendBase(hit.culprit);
  const key = bucketKey({
    culprit: backend,
    symptom: hit.symptom,
    stage: hit.stage,
    ...(hit.op !== undefined ? { op: hit.op } : {}),
    ...(hit.typeIsCause && hit.dtype !== undefined ? { dtype: hit.dtype } : {}),
    message: stableMessage(hit),
  });
  // the key names the operator even for errors (taken from the message); "graph" when no operator is known
  const op = key.split('|')[3]?.split(':')[0];
  const opName = op && op !== '?' ? op : 'graph';
  return {
    id: `${hit.symptom}/${opName}/${hashOf(key).slice(0, 8)}`,
    name: pascal(`${opName === 'graph' ? '' : opName} ${hit.symptom}`),
    key,
    backend,
    symptom: hit.symptom,
    stage: hit.stage,
    ...(hit.op !== undefined ? { op: hit.op } : opName !== 'graph' ? { op: opName } : {}),
    ...(hit.dtype !== undefined ? { dtype: hit.dtype } : {}),
  };
}

/** A one-line description of a rule, for SARIF's shortDescription and the text summary. */
export function describeRule(r: Rule): string {
  const where = r.op ? ` in ${r.op}${r.dtype ? ` (${r.dtype})` : ''}` : '';
  return `${r.backend}: ${r.symptom}${where} at ${r.stage} time`;
}
