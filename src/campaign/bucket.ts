/**
 * Bucket keys: the same bug found 500 times is one bucket with 500 hits. A key is built from the culprit, the
 * symptom, the stage, and either the first operator where values diverge with its dtype (wrong values) or the
 * operator named in the error with the error text normalised (crashes and rejections).
 */
import type { Symptom } from '../../oracles/types.js';

export interface BucketKeyParts {
  readonly culprit: string;
  readonly symptom: Symptom;
  readonly stage: 'load' | 'run';
  /** First divergent operator (wrong values), or the operator an error names. */
  readonly op?: string;
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

export function bucketKey(p: BucketKeyParts): string {
  const what = p.symptom === 'wrong-value' || p.symptom === 'nan-inf' || p.symptom === 'shape' || p.symptom === 'dtype'
    ? `${p.op ?? '?'}:${p.dtype ?? '?'}`
    : `${p.op ?? opInError(p.message ?? '') ?? '?'}:${normaliseError(p.message ?? '')}`;
  return `${p.culprit}|${p.symptom}|${p.stage}|${what}`;
}

/** A file-system-safe, readable slug for a bucket key (plus a short hash so slugs never collide). */
export function bucketSlug(key: string, hash: string): string {
  const [culprit, symptom, , what] = key.split('|');
  const op = (what ?? '').split(':')[0];
  return `${culprit}-${symptom}-${op}`.replace(/[^A-Za-z0-9.@-]+/g, '_').slice(0, 80) + `-${hash.slice(0, 8)}`;
}
