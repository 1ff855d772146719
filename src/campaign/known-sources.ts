/**
 * Where known bugs come from, and how a campaign folder remembers them. Each corpus case states the buckets it
 * stands for in case.json (`knownAs`, key patterns as in known.ts); a case without one gets patterns derived from
 * its culprit, symptom, stage, divergence and bucket key. The user's `--known` file (the gate's `--expect` format)
 * is copied into the campaign folder as known.json, with the corpus chosen, so a resumed, merged or re-reported
 * campaign labels its buckets as the campaign did.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCorpus, findCases } from '../gate/corpus.js';
import type { Expectation, ExpectationsFormat } from '../gate/expectations.js';
import { writeFileAtomic } from '../util/fs.js';
import { opInError } from './bucket.js';
import { CampaignError } from './errors.js';
import { entryPattern, formatKeyPattern, KnownBugs, parseKeyPattern, type KeyPattern, type KnownEntry } from './known.js';

/** What a campaign counts as known, as known.json keeps it. */
export interface KnownSettings {
  /** false: nothing is known, every bucket is new (`fuzz --no-known`). */
  readonly enabled: boolean;
  /** The corpus folder; absent: onnxsmith's own corpus/, wherever it is installed. */
  readonly corpus?: string;
  /** The --known file's entries, copied, and the file they came from. */
  readonly entries: readonly Expectation[];
  readonly file?: string;
}

export const DEFAULT_KNOWN: KnownSettings = { enabled: true, entries: [] };

const KNOWN_FILE = 'known.json';

/** The settings a campaign folder ran with; the defaults for a folder from before known.json. */
export function readKnownSettings(dir: string): KnownSettings {
  const f = join(dir, KNOWN_FILE);
  if (!existsSync(f)) return DEFAULT_KNOWN;
  let j: unknown;
  try {
    j = JSON.parse(readFileSync(f, 'utf8'));
  } catch (e) {
    throw new CampaignError(`${f} is not valid JSON (${(e as Error).message}); delete it to label buckets with the defaults, or resume with --known FILE`);
  }
  const s = j as Partial<KnownSettings> | null;
  const ok =
    typeof s === 'object' && s !== null && typeof s.enabled === 'boolean' && (s.corpus === undefined || typeof s.corpus === 'string') &&
    Array.isArray(s.entries) && s.entries.every((e) => typeof e === 'object' && e !== null && typeof e.id === 'string' && typeof e.reason === 'string');
  if (!ok) throw new CampaignError(`${f} is not a known-bugs file (enabled, entries expected); delete it to label buckets with the defaults, or resume with --known FILE`);
  return s as KnownSettings;
}

export function writeKnownSettings(dir: string, s: KnownSettings): void {
  writeFileAtomic(join(dir, KNOWN_FILE), JSON.stringify(s, null, 2) + '\n');
}

interface CaseJson {
  title?: unknown;
  status?: unknown;
  culprit?: unknown;
  symptom?: unknown;
  stage?: unknown;
  bucketKey?: unknown;
  detail?: unknown;
  divergence?: { op?: unknown };
  graph?: { nodes?: { op?: unknown }[] };
  knownAs?: unknown;
}

const VALUE = new Set(['wrong-value', 'nan-inf', 'shape', 'dtype']);
const str = (x: unknown): string | undefined => (typeof x === 'string' && x ? x : undefined);

/**
 * The buckets a case without `knownAs` stands for: its culprit (every release unless it names one), symptom and
 * stage, at the operator its divergence, bucket key, error or only node names. Value symptoms leave the dtype open
 * (older keys always held it, cause or not); an error at no known operator keeps the key's error text. Nothing
 * when the case names no culprit or no operator can be told.
 */
export function derivedPatterns(c: CaseJson): KeyPattern[] {
  const key = str(c.bucketKey) ? parseKeyPattern(c.bucketKey as string) : undefined;
  const culprit = str(c.culprit) ?? key?.culprit;
  const symptom = str(c.symptom) ?? key?.symptom;
  if (!culprit || !symptom) return [];
  const stage = str(c.stage) ?? key?.stage ?? '*';
  const nodes = Array.isArray(c.graph?.nodes) ? c.graph.nodes : [];
  const named = key && key.op !== '?' ? key.op : undefined;
  const op = str(c.divergence?.op) ?? named ?? (str(c.detail) ? opInError(c.detail as string) : undefined) ?? (nodes.length === 1 ? str(nodes[0]!.op) : undefined);
  if (op) return [{ culprit, symptom, stage, op }];
  if (key?.rest !== undefined && !VALUE.has(symptom)) return [{ culprit, symptom, stage, op: '*', rest: key.rest }];
  return [];
}

/** A corpus case's `knownAs`, checked; the error names the file and the entry. */
function statedPatterns(c: CaseJson, file: string): KeyPattern[] {
  if (!Array.isArray(c.knownAs) || !c.knownAs.every((x) => typeof x === 'string')) throw new CampaignError(`${file}: knownAs must be a list of bucket key patterns (culprit|symptom|stage|Op[:dtype or error text])`);
  return c.knownAs.map((p: string, i) => {
    try {
      return parseKeyPattern(p);
    } catch (e) {
      throw new CampaignError(`${file}: knownAs[${i}] ${(e as Error).message}`);
    }
  });
}

/** One corpus case as known bugs: its patterns (stated or derived) and the label its buckets get. */
export interface CorpusCaseKnown {
  readonly id: string;
  readonly patterns: readonly KeyPattern[];
  readonly derived: boolean;
  readonly entries: readonly KnownEntry[];
}

/** Every case under `root` as known bugs. A case.json that is not JSON, or a malformed knownAs, is a CampaignError. */
export function corpusKnown(root: string): CorpusCaseKnown[] {
  if (!existsSync(root)) throw new CampaignError(`corpus folder ${root} does not exist`);
  return findCases(root).flatMap((ref) => {
    const file = join(ref.dir, 'case.json');
    if (!existsSync(file)) return [];
    let c: CaseJson;
    try {
      c = JSON.parse(readFileSync(file, 'utf8')) as CaseJson;
    } catch (e) {
      throw new CampaignError(`${file} is not valid JSON (${(e as Error).message})`);
    }
    const derived = c.knownAs === undefined;
    const patterns = derived ? derivedPatterns(c) : statedPatterns(c, file);
    const label = { source: `corpus/${ref.id}`, ...(str(c.status) ? { status: c.status as string } : {}), ...(str(c.title) ? { reason: c.title as string } : {}) };
    return [{ id: ref.id, patterns, derived, entries: patterns.map((pattern) => ({ pattern, label: { ...label, match: formatKeyPattern(pattern) } })) }];
  });
}

/** The entries of a --known file; an id that is no key, key pattern or slug is a CampaignError naming its line. */
export function fileEntries(entries: readonly Expectation[]): KnownEntry[] {
  return entries.map((e) => {
    try {
      return { pattern: entryPattern(e.id), label: { source: 'known-file', reason: e.reason, match: e.id, at: e.at } };
    } catch (err) {
      throw new CampaignError(`--known ${e.at}: ${(err as Error).message}`);
    }
  });
}

/** The known bugs of `settings`, with a note for each corpus case no bucket can be matched to. */
export function loadKnown(settings: KnownSettings): { known: KnownBugs; notes: string[] } {
  if (!settings.enabled) return { known: KnownBugs.none(), notes: [] };
  const root = settings.corpus ?? defaultCorpus();
  const cases = corpusKnown(root);
  const notes = cases.filter((c) => c.patterns.length === 0).map((c) => `corpus case ${c.id} names no culprit and operator, so no bucket is matched to it: give its case.json a knownAs list`);
  return { known: new KnownBugs(cases.flatMap((c) => c.entries), true, fileEntries(settings.entries)), notes };
}

/** `--known FILE`: the gate's expectations format, with bucket keys, key patterns or slugs as ids. */
export const KNOWN_FORMAT: ExpectationsFormat = { flag: '--known', idName: 'BUCKET-KEY-OR-SLUG', spacedIds: true };
