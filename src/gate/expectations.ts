/**
 * The expectations file: new failures a team has looked at and accepts for now (a known regression pinned
 * upstream, a backend dropped on purpose). Each entry names a case or a rule id and must say why, so an accepted
 * regression never loses its explanation. Entries that no longer match a new failure are reported as stale.
 *
 * Text form (any file not ending in .json), one entry a line, lines starting with `#` are comments:
 *
 *     ort-reducesum-absent-axes: 1.12.1 rejects an absent axes input; we ship 1.30 and only test the downgrade
 *     run-error/ReduceSum/0a1b2c3d: same bug, matched by rule wherever it shows up
 *
 * JSON form (a file ending in .json): `[{ "id": "...", "reason": "..." }, ...]`.
 *
 * `fuzz --known` reads the same format with bucket keys as ids (ExpectationsFormat): keys hold `Op:dtype` and error
 * text with spaces, so there the id ends at the first colon followed by a space.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../cli/errors.js';
import type { GateCase, StaleExpectation } from './types.js';

/** One accepted new failure. */
export interface Expectation {
  /** A case id (its folder relative to the corpus, or `fuzz/K`) or a rule id. */
  readonly id: string;
  readonly reason: string;
  /** Where it was written, for messages (`expect.txt:3`). */
  readonly at: string;
}

/** What an expectations file's ids are, for a flag other than the gate's `--expect`. */
export interface ExpectationsFormat {
  /** The flag named in messages. */
  readonly flag: string;
  /** What an id is, in messages (`CASE-OR-RULE-ID`). */
  readonly idName: string;
  /** Ids may hold spaces and colons; the text form's id ends at the first `: `. */
  readonly spacedIds: boolean;
}

/** The gate's `--expect`: case and rule ids, which hold neither spaces nor colons. */
export const GATE_EXPECT: ExpectationsFormat = { flag: '--expect', idName: 'CASE-OR-RULE-ID', spacedIds: false };

function fromText(text: string, file: string, f: ExpectationsFormat): Expectation[] {
  const out: Expectation[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const at = `${file}:${i + 1}`;
    const line = raw.trim();
    // only whole-line comments: a reason may well mention an issue as #123
    if (!line || line.startsWith('#')) return;
    const colon = f.spacedIds ? line.indexOf(': ') : line.indexOf(':');
    const id = (colon < 0 ? line : line.slice(0, colon)).trim();
    const reason = colon < 0 ? '' : line.slice(colon + 1).trim();
    if (!id || (!f.spacedIds && /\s/.test(id)) || (f.spacedIds && colon < 0 && /\s/.test(id))) throw new UsageError(`${f.flag} ${at}: expected '${f.idName}: reason', got '${raw.trim()}'`);
    if (!reason) throw new UsageError(`${f.flag} ${at}: '${id}' has no reason; write '${id}: why this ${f === GATE_EXPECT ? 'new failure is accepted' : 'is known'}'`);
    out.push({ id, reason, at });
  });
  return out;
}

function fromJson(text: string, file: string, f: ExpectationsFormat): Expectation[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${f.flag} ${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(data)) throw new UsageError(`${f.flag} ${file}: expected a JSON array of { "id": ..., "reason": ... } entries`);
  return data.map((entry: unknown, i) => {
    const at = `${file}[${i}]`;
    const e = (entry ?? {}) as { id?: unknown; reason?: unknown };
    if (typeof e.id !== 'string' || !e.id.trim()) throw new UsageError(`${f.flag} ${at}: expected a string "id" ${f === GATE_EXPECT ? 'naming a case or a rule' : `(${f.idName})`}`);
    if (typeof e.reason !== 'string' || !e.reason.trim()) throw new UsageError(`${f.flag} ${at}: '${e.id}' has no "reason"; every ${f === GATE_EXPECT ? 'accepted new failure' : 'entry'} needs one`);
    return { id: e.id.trim(), reason: e.reason.trim(), at };
  });
}

/** Parses an expectations file's text; `file` only names it in messages and picks the form (.json or text). */
export function parseExpectations(text: string, file: string, f: ExpectationsFormat = GATE_EXPECT): Expectation[] {
  const entries = file.toLowerCase().endsWith('.json') ? fromJson(text, file, f) : fromText(text, file, f);
  const seen = new Map<string, string>();
  for (const e of entries) {
    const first = seen.get(e.id);
    if (first) throw new UsageError(`${f.flag} ${e.at}: '${e.id}' is already listed at ${first}`);
    seen.set(e.id, e.at);
  }
  return entries;
}

/** Reads and parses an expectations file; a missing or unreadable file is a usage error. */
export function readExpectations(file: string, f: ExpectationsFormat = GATE_EXPECT): Expectation[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${f.flag}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseExpectations(text, file, f);
}

function matches(e: Expectation, c: GateCase): boolean {
  return e.id === c.id || (c.candidate.kind === 'fail' && c.candidate.rules.some((r) => r.id === e.id));
}

/**
 * Marks the new failures an expectation accepts, and lists the expectations that accept nothing (stale: the
 * failure is gone, or was already failing on the baseline, or the id matches nothing at all).
 */
export function applyExpectations(cases: readonly GateCase[], expectations: readonly Expectation[]): { cases: GateCase[]; stale: StaleExpectation[] } {
  const used = new Set<Expectation>();
  const out = cases.map((c) => {
    if (c.class !== 'new-failure') return c;
    const e = expectations.find((x) => matches(x, c));
    if (!e) return c;
    used.add(e);
    return { ...c, expected: e.reason };
  });
  const stale = expectations
    .filter((e) => !used.has(e))
    .map((e): StaleExpectation => {
      const named = cases.find((c) => matches(e, c)) ?? cases.find((c) => c.baseline.kind === 'fail' && c.baseline.rules.some((r) => r.id === e.id));
      const now = named ? `${named.id} is ${named.class.replace(/-/g, ' ')}` : 'no case or rule with this id ran';
      return { id: e.id, reason: e.reason, now };
    });
  return { cases: out, stale };
}
