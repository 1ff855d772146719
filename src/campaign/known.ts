/**
 * Known bugs: which buckets a nightly reader has already seen. A bucket is matched on its parts (culprit, symptom,
 * stage, operator, and the dtype or normalised error text), not on its whole key, so a known bug stays known when
 * it shows on another release, as NaN instead of a finite wrong value, or with other node names in its message.
 *
 * A key pattern is written like a bucket key, `culprit|symptom|stage|Op[:rest]`, where any part may use `*` (any
 * text). The culprit without `@version` stands for every release of that backend, with one only for that release.
 * `rest` is the dtype for value symptoms (wrong-value, nan-inf, shape, dtype) and the error text for the others; a
 * pattern without it matches any. nan-inf and wrong-value are one symptom here, as in bucket keys.
 */
import { exclusionsFor } from '../backends/exclusions.js';
import { backendBase, pinnedVersion, withVersion } from '../backends/names.js';
import { normaliseError } from './bucket.js';
import { CampaignError } from './errors.js';

/** What a bucket is matched on: a bucket of buckets.json or a hit of progress.jsonl. */
export interface BucketLike {
  readonly key: string;
  readonly slug: string;
  readonly culprit: string;
  readonly op?: string;
  readonly detail?: string;
}

/** Where a known bucket is known from. */
export interface KnownLabel {
  /** `corpus/<case>`, `exclusion` or `known-file`. */
  readonly source: string;
  /** A corpus case's status: `open upstream`, `fixed in 1.13`, ... */
  readonly status?: string;
  /** The exclusion's or the --known entry's reason, or the corpus case's title. */
  readonly reason?: string;
  /** What matched: the key pattern, the slug, or `backend: Op` for an exclusion. */
  readonly match: string;
  /** A --known entry's place (`known.txt:3`). */
  readonly at?: string;
}

export interface KeyPattern {
  readonly culprit: string;
  readonly symptom: string;
  readonly stage: string;
  readonly op: string;
  readonly rest?: string;
}

const SYMPTOMS: readonly string[] = ['wrong-value', 'nan-inf', 'shape', 'dtype', 'crash', 'timeout', 'load-error', 'run-error'];
const VALUE_SYMPTOMS: ReadonlySet<string> = new Set(['wrong-value', 'nan-inf', 'shape', 'dtype']);

const fold = (symptom: string): string => (symptom === 'nan-inf' ? 'wrong-value' : symptom);

/** Whether `text` is all of `pattern`, where `*` stands for any text (and nothing else is special). */
export function glob(pattern: string, text: string): boolean {
  if (!pattern.includes('*')) return pattern === text;
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[\\^$.|?+()[\]{}]/g, '\\$&')).join('[\\s\\S]*')}$`);
  return re.test(text);
}

/**
 * Reads a key pattern; throws a CampaignError saying what is wrong (the caller adds where it was written).
 */
export function parseKeyPattern(text: string): KeyPattern {
  const parts = text.split('|');
  if (parts.length < 4) throw new CampaignError(`'${text}' is not a bucket key pattern: expected culprit|symptom|stage|Op[:dtype or error text]`);
  const [culprit, symptom, stage, ...what] = parts as [string, string, string, ...string[]];
  const w = what.join('|');
  const colon = w.indexOf(':');
  const op = colon < 0 ? w : w.slice(0, colon);
  if (!culprit) throw new CampaignError(`'${text}' names no culprit (the backend before the first '|')`);
  if (!symptom.includes('*') && !SYMPTOMS.includes(symptom)) throw new CampaignError(`'${text}': unknown symptom '${symptom}' (one of ${SYMPTOMS.join(', ')}, or *)`);
  if (!stage.includes('*') && stage !== 'load' && stage !== 'run') throw new CampaignError(`'${text}': unknown stage '${stage}' (load, run or *)`);
  if (!op) throw new CampaignError(`'${text}' names no operator after the stage (write * for any)`);
  return { culprit, symptom, stage, op, ...(colon < 0 ? {} : { rest: w.slice(colon + 1) }) };
}

export function formatKeyPattern(p: KeyPattern): string {
  return `${p.culprit}|${p.symptom}|${p.stage}|${p.op}${p.rest !== undefined ? `:${p.rest}` : ''}`;
}

/** A bucket's key read back into parts; the culprit comes from the bucket, as it may hold any character. */
function keyParts(b: BucketLike): { symptom: string; stage: string; op: string; rest?: string } {
  const tail = b.key.startsWith(`${b.culprit}|`) ? b.key.slice(b.culprit.length + 1) : b.key.split('|').slice(1).join('|');
  const [symptom = '', stage = '', ...what] = tail.split('|');
  const w = what.join('|');
  const colon = w.indexOf(':');
  return { symptom: fold(symptom), stage, op: colon < 0 ? w : w.slice(0, colon), ...(colon < 0 ? {} : { rest: w.slice(colon + 1) }) };
}

/** Whether pattern `p` stands for bucket `b` (whose culprit resolved to `version`). */
export function matchesPattern(p: KeyPattern, b: BucketLike, version?: string): boolean {
  // a pattern's culprit with @version stands for that release, without for every release of the backend
  const culprit = pinnedVersion(p.culprit) !== undefined ? withVersion(b.culprit, version) : backendBase(b.culprit);
  if (!glob(p.culprit, culprit)) return false;
  const k = keyParts(b);
  if (!glob(fold(p.symptom), k.symptom) || !glob(p.stage, k.stage)) return false;
  if (!glob(p.op, k.op) && !(b.op !== undefined && glob(p.op, b.op))) return false;
  if (p.rest === undefined) return true;
  if (VALUE_SYMPTOMS.has(k.symptom)) {
    // a key without a dtype says the type is not the cause: any dtype the pattern names fits
    return k.rest === undefined || k.rest === '?' || glob(p.rest, k.rest);
  }
  const message = k.rest ?? '';
  return glob(p.rest, message) || glob(normaliseError(p.rest), message) || (b.detail !== undefined && glob(p.rest, b.detail));
}

/** One known bug: a key pattern (or a slug pattern) and what to label its buckets with. */
export interface KnownEntry {
  readonly pattern: KeyPattern | { readonly slug: string };
  readonly label: KnownLabel;
}

/** A --known entry's id as a pattern: a key or key pattern (it has '|'), else a bucket slug (perhaps with `*`). */
export function entryPattern(id: string): KnownEntry['pattern'] {
  if (id.includes('|')) return parseKeyPattern(id);
  if (!/^[A-Za-z0-9._@*-]+$/.test(id)) throw new CampaignError(`'${id}' is neither a bucket key (culprit|symptom|stage|what), a key pattern with *, nor a bucket slug (as in cases/<slug>/)`);
  return { slug: id };
}

/** Labels a bucket with what it is known as, or undefined for a new bucket. */
export type Labeller = (b: BucketLike) => KnownLabel | undefined;

/**
 * Everything known in one session: corpus cases first (they say which bug and its status), then the per-backend
 * exclusions (when `exclusions`), then the user's --known entries.
 */
export class KnownBugs {
  constructor(
    readonly corpus: readonly KnownEntry[],
    readonly exclusions: boolean,
    readonly file: readonly KnownEntry[],
  ) {}

  /** Nothing is known: every bucket is new. */
  static none(): KnownBugs {
    return new KnownBugs([], false, []);
  }

  /** The labeller for a session whose backends resolved to `versions` (spec → version). */
  labeller(versions: Readonly<Record<string, string>>): Labeller {
    const fits = (e: KnownEntry, b: BucketLike): boolean => ('slug' in e.pattern ? glob(e.pattern.slug, b.slug) : matchesPattern(e.pattern, b, versions[b.culprit]));
    return (b) => {
      const fromCorpus = this.corpus.find((e) => fits(e, b));
      if (fromCorpus) return fromCorpus.label;
      if (this.exclusions) {
        const op = keyParts(b).op;
        const x = exclusionsFor(b.culprit, versions[b.culprit]).find((e) => e.op === op || e.op === b.op);
        if (x) return { source: 'exclusion', reason: x.reason, match: `${b.culprit}: ${x.op}` };
      }
      return this.file.find((e) => fits(e, b))?.label;
    };
  }
}
