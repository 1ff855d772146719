/**
 * Bucket keys: the same bug found 500 times is one bucket with 500 hits. A key is built from the culprit, the
 * symptom, the stage, and either the first operator where values diverge (wrong values) or the operator named in
 * the error with the error text normalised (crashes and rejections).
 *
 * One bug, one key: NaN/Inf and finite wrong values at the same operator are one symptom (which a case shows
 * depends on its inputs, not on the bug), and the element type is part of the key only when the evaluation found
 * it to be the cause (the same node on the sibling type does not diverge; evaluate.ts).
 */
import type { Symptom } from '../../oracles/types.js';

export interface BucketKeyParts {
  readonly culprit: string;
  readonly symptom: Symptom;
  readonly stage: 'load' | 'run';
  /** First divergent operator (wrong values), or the operator an error names. */
  readonly op?: string;
  /** Element type, only where it is the cause of the divergence. */
  readonly dtype?: string;
  /** Error text (crashes, rejections); normalised before it becomes part of the key. */
  readonly message?: string;
}

/**
 * Strips what varies between occurrences of the same error: node and tensor names, numbers, paths, addresses,
 * shapes and quoted values, so "node 'n3'... shape {2,3}" and "node 'n7'... shape {4,1}" share a key.
 */
export function normaliseError(message: string): string {
  return message
    .split('\n')[0]!
    .replace(/\u001b\[[0-9;]*m/g, '')
    .replace(/\/[\w./-]+\.(cc|cpp|h|c|js|ts|mjs)(:\d+)*/g, '<src>')
    .replace(/(\/[\w.-]+)+/g, '<path>')
    .replace(/0x[0-9a-f]+/gi, '<addr>')
    .replace(/'[^']*'/g, "'<name>'")
    .replace(/"[^"]*"/g, '"<name>"')
    .replace(/\{[\d,\s-]*\}|\[[\d,\s-]*\]|\([\d,\s-]*\)/g, '<shape>')
    .replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/gi, 'N')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

/** The op an error message names ("running Div node", "implementation for Cos(7)", "kernel for com.microsoft.QuickGelu(1)"), if any. */
export function opInError(message: string): string | undefined {
  const m = /running ([A-Z][A-Za-z0-9]*) node|implementation for ([A-Z][A-Za-z0-9]*)\(|\b([A-Z][A-Za-z0-9]*)\(\d+\) node|kernel for (?:[a-z]\w*\.)*([A-Z][A-Za-z0-9]*)\(/.exec(message);
  return m ? (m[1] ?? m[2] ?? m[3] ?? m[4]) : undefined;
}

/** The symptom a bucket is filed under: NaN/Inf where the result is finite is a wrong value like any other. */
export function keySymptom(s: Symptom): Symptom {
  return s === 'nan-inf' ? 'wrong-value' : s;
}

/** Whether a symptom is about values (keyed by the divergent operator) rather than an error (keyed by its text). */
export function isValueSymptom(s: Symptom): boolean {
  return s === 'wrong-value' || s === 'nan-inf' || s === 'shape' || s === 'dtype';
}

export function bucketKey(p: BucketKeyParts): string {
  const what = isValueSymptom(p.symptom)
    ? `${p.op ?? '?'}${p.dtype ? `:${p.dtype}` : ''}`
    : `${p.op ?? opInError(p.message ?? '') ?? '?'}:${normaliseError(p.message ?? '')}`;
  return `${p.culprit}|${keySymptom(p.symptom)}|${p.stage}|${what}`;
}

/** A file-system-safe, readable slug for a bucket key (plus a short hash so slugs never collide). */
export function bucketSlug(key: string, hash: string): string {
  const [culprit, symptom, , what] = key.split('|');
  const op = (what ?? '').split(':')[0];
  return `${culprit}-${symptom}-${op}`.replace(/[^A-Za-z0-9.@-]+/g, '_').slice(0, 80) + `-${hash.slice(0, 8)}`;
}
