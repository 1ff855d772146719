import { createHash } from 'node:crypto';
import type { Graph } from './types.js';

/** JSON with object keys sorted at every level: equal graphs give equal text. */
export function canonicalJson(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  // int64 values beyond 2^53 (a tensor's exact companion) as decimal strings: JSON has no BigInt
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof BigInt64Array) return Array.from(value, String);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** A stable content hash of a graph (hex, 16 characters): same structure, types and data give the same hash. */
export function graphHash(graph: Graph): string {
  return createHash('sha256').update(canonicalJson(graph)).digest('hex').slice(0, 16);
}
