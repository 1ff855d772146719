import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CampaignError } from '../../../src/campaign/errors.js';
import { corpusKnown, derivedPatterns, fileEntries, KNOWN_FORMAT, loadKnown } from '../../../src/campaign/known-sources.js';
import { glob, KnownBugs, matchesPattern, parseKeyPattern, type BucketLike } from '../../../src/campaign/known.js';
import { Tally, type ProgressRecord } from '../../../src/campaign/state.js';
import { UsageError } from '../../../src/cli/errors.js';
import { parseExpectations } from '../../../src/gate/expectations.js';
import { defaultCorpus } from '../../../src/gate/corpus.js';

const bucket = (key: string, extra: Partial<BucketLike> = {}): BucketLike => ({ key, slug: `${key.split('|')[0]}-x-0123abcd`, culprit: key.split('|')[0]!, ...extra });
const matches = (pattern: string, key: string, version?: string, extra: Partial<BucketLike> = {}): boolean => matchesPattern(parseKeyPattern(pattern), bucket(key, extra), version);

describe('key patterns', () => {
  it('glob: * is any text, everything else literal', () => {
    expect(glob('a*c', 'abbc')).toBe(true);
    expect(glob('a*c', 'abbd')).toBe(false);
    expect(glob('Conv', 'ConvTranspose')).toBe(false);
    expect(glob('*(x)?.[1]*', 'f(x)?.[1] y')).toBe(true);
    expect(glob('*line two*', 'line one\nline two')).toBe(true);
  });

  it('match a culprit family on every release, a pinned release only there', () => {
    expect(matches('ort-node-cpu|wrong-value|run|Conv', 'ort-node-cpu|wrong-value|run|Conv:float32', '1.30.0')).toBe(true);
    expect(matches('ort-node-cpu|wrong-value|run|Conv', 'ort-node-cpu@1.12.1|wrong-value|run|Conv:float32')).toBe(true);
    expect(matches('ort-node-cpu|wrong-value|run|Conv', 'ort-node-cpu-noopt|wrong-value|run|Conv:float32')).toBe(false);
    expect(matches('ort-node-cpu@1.12.1|wrong-value|run|Conv', 'ort-node-cpu@1.12.1|wrong-value|run|Conv')).toBe(true);
    // the campaign ran plain ort-node-cpu, which resolved to 1.12.1 on that machine
    expect(matches('ort-node-cpu@1.12.1|wrong-value|run|Conv', 'ort-node-cpu|wrong-value|run|Conv', '1.12.1')).toBe(true);
    expect(matches('ort-node-cpu@1.12.1|wrong-value|run|Conv', 'ort-node-cpu|wrong-value|run|Conv', '1.30.0')).toBe(false);
    expect(matches('ort-node-cpu@1.1*|wrong-value|run|Conv', 'ort-node-cpu|wrong-value|run|Conv', '1.12.1')).toBe(true);
    expect(matches('command:*/shifted-abs.mjs|wrong-value|run|Abs', 'command:/x@y/shifted-abs.mjs|wrong-value|run|Abs:float32')).toBe(true);
  });

  it('treat nan-inf and wrong-value as one symptom, and match stage and operator', () => {
    expect(matches('tfjs-wasm|wrong-value|run|PRelu', 'tfjs-wasm|nan-inf|run|PRelu:float32')).toBe(true);
    expect(matches('tfjs-wasm|nan-inf|run|PRelu', 'tfjs-wasm|wrong-value|run|PRelu')).toBe(true);
    expect(matches('tfjs-wasm|shape|run|PRelu', 'tfjs-wasm|wrong-value|run|PRelu')).toBe(false);
    expect(matches('tfjs-wasm|wrong-value|load|PRelu', 'tfjs-wasm|wrong-value|run|PRelu')).toBe(false);
    expect(matches('tfjs-wasm|*|*|*', 'tfjs-wasm|crash|run|?:SIGSEGV')).toBe(true);
    // an error keyed at no operator still matches a pattern naming the one the hit carries
    expect(matches('ort-node-cpu|load-error|load|Clip', 'ort-node-cpu|load-error|load|?:boom', undefined, { op: 'Clip' })).toBe(true);
  });

  it('hold a dtype to keys that carry one: a key without it says the type is not the cause', () => {
    expect(matches('tfjs-wasm|wrong-value|run|Clip:int32', 'tfjs-wasm|wrong-value|run|Clip:int32')).toBe(true);
    expect(matches('tfjs-wasm|wrong-value|run|Clip:int32', 'tfjs-wasm|wrong-value|run|Clip:int64')).toBe(false);
    expect(matches('tfjs-wasm|wrong-value|run|Clip:int*', 'tfjs-wasm|wrong-value|run|Clip:int64')).toBe(true);
    expect(matches('tfjs-wasm|wrong-value|run|Clip:int32', 'tfjs-wasm|wrong-value|run|Clip')).toBe(true);
  });

  it('match error text against the normalised message, the pattern normalised alike, or the raw detail', () => {
    const key = "ort-node-webgpu|run-error|run|Trilu:Non-zero status code returned while running Trilu node. Name:'<name>' Status Message: trilu.cc:N GetTriluK k is out of range for WebGPU Trilu.";
    expect(matches('ort-node-webgpu|run-error|run|Trilu:*k is out of range*', key)).toBe(true);
    expect(matches('ort-node-webgpu|run-error|run|Trilu:*k is in range*', key)).toBe(false);
    // written as the user saw it: node name and line number as printed
    expect(matches("ort-node-webgpu|run-error|run|*:*Name:'n3' Status Message: trilu.cc:58*", key)).toBe(true);
    // a message that normalisation garbles (an apostrophe opens a quote) is still found in the detail
    const garbled = "ort-web-wasm|load-error|load|?:Can'<name>'min' input of N";
    expect(matches('ort-web-wasm|load-error|load|*:*FuseReluClip*', garbled)).toBe(false);
    expect(matches('ort-web-wasm|load-error|load|*:*FuseReluClip*', garbled, undefined, { detail: "Can't create a session: relu_clip_fusion.cc:83 FuseReluClip::Apply ... 'min' input of 11" })).toBe(true);
  });

  it('name what is wrong with a pattern', () => {
    expect(() => parseKeyPattern('ort-node-cpu|wrong-value|run')).toThrow(/expected culprit\|symptom\|stage\|Op/);
    expect(() => parseKeyPattern('ort-node-cpu|wrong|run|Abs')).toThrow(/unknown symptom 'wrong' \(one of wrong-value, nan-inf/);
    expect(() => parseKeyPattern('ort-node-cpu|wrong-value|exec|Abs')).toThrow(/unknown stage 'exec'/);
    expect(() => parseKeyPattern('|wrong-value|run|Abs')).toThrow(/names no culprit/);
    expect(() => parseKeyPattern('x|wrong-value|run|')).toThrow(/names no operator/);
  });
});

describe('known bugs', () => {
  const entries = (text: string) => fileEntries(parseExpectations(text, 'known.txt', KNOWN_FORMAT));

  it('read --known ids as keys (split at the first ": "), key patterns or slugs', () => {
    const e = parseExpectations(
      "# nightly pins\nort-node-cpu|run-error|run|Gemm:GEMM: Dimension mismatch*: the 1.12 pin\ntfjs-wasm|wrong-value|run|Clip:int32: #7458\nshifted-abs-Abs-*: planted\n",
      'known.txt',
      KNOWN_FORMAT,
    );
    expect(e.map((x) => [x.id, x.reason])).toEqual([
      ['ort-node-cpu|run-error|run|Gemm:GEMM', 'Dimension mismatch*: the 1.12 pin'],
      ['tfjs-wasm|wrong-value|run|Clip:int32', '#7458'],
      ['shifted-abs-Abs-*', 'planted'],
    ]);
    expect(() => parseExpectations('tfjs-wasm|wrong-value|run|Clip:int32\n', 'k.txt', KNOWN_FORMAT)).toThrow(/--known k\.txt:1: 'tfjs-wasm\|wrong-value\|run\|Clip:int32' has no reason; write '.*: why this is known'/);
    expect(() => parseExpectations('some words here\n', 'k.txt', KNOWN_FORMAT)).toThrow(/--known k\.txt:1: expected 'BUCKET-KEY-OR-SLUG: reason'/);
    expect(() => entries('no good slug!: x\n')).toThrow(/--known known\.txt:1: 'no good slug!' is neither a bucket key/);
    expect(() => entries('a|b|run|Abs: x\n')).toThrow(CampaignError);
    // the gate's own --expect keeps its rules
    expect(() => parseExpectations('two words: x\n', 'e.txt')).toThrow(UsageError);
  });

  it('label from the corpus first, then exclusions (per release), then the file', () => {
    const corpus = [{ pattern: parseKeyPattern('tfjs-wasm|wrong-value|run|Clip'), label: { source: 'corpus/tfjs-wasm-clip', status: 'open upstream', match: 'tfjs-wasm|wrong-value|run|Clip' } }];
    const known = new KnownBugs(corpus, true, entries('tfjs-wasm|*|*|Clip: mine\nshifted-*: planted\nort-node-cpu|*|*|ConvTranspose: mine too\n'));
    const label = known.labeller({ 'ort-node-cpu': '1.12.1', 'ort-node-cpu-noopt': '1.30.0' });
    expect(label(bucket('tfjs-wasm|wrong-value|run|Clip:int32'))?.source).toBe('corpus/tfjs-wasm-clip');
    expect(label(bucket('tfjs-wasm|wrong-value|run|Cast:bool'))).toMatchObject({ source: 'exclusion', match: 'tfjs-wasm: Cast', reason: expect.stringMatching(/tensorflow\/tfjs#2590/) as unknown });
    // ConvTranspose SAME_UPPER is excluded in 1.12.1 only: on ort-node-cpu resolved to 1.12.1 an exclusion, not on
    // ort-node-cpu-noopt resolved to 1.30.0; the file names it for any release of ort-node-cpu
    expect(label(bucket('ort-node-cpu|wrong-value|run|ConvTranspose'))?.source).toBe('exclusion');
    expect(label(bucket('ort-node-cpu-noopt|wrong-value|run|ConvTranspose'))).toBeUndefined();
    expect(label(bucket('ort-node-cpu@1.30.0|wrong-value|run|ConvTranspose:float32'))).toMatchObject({ source: 'known-file', reason: 'mine too', at: 'known.txt:3' });
    expect(label({ key: 'command:/p/shifted-abs.mjs|wrong-value|run|Abs', culprit: 'command:/p/shifted-abs.mjs', slug: 'shifted-abs-wrong-value-Abs-0123abcd' })).toMatchObject({ source: 'known-file', match: 'shifted-*' });
    expect(label(bucket('tfjs-cpu|wrong-value|run|Abs'))).toBeUndefined();
    expect(KnownBugs.none().labeller({})(bucket('tfjs-wasm|wrong-value|run|Cast:bool'))).toBeUndefined();
  });

  it('derive what a corpus case stands for when it has no knownAs', () => {
    // a campaign case: culprit, symptom and stage, the operator from its divergence, dtype left open
    expect(derivedPatterns({ culprit: 'tfjs-wasm', symptom: 'wrong-value', stage: 'run', bucketKey: 'tfjs-wasm|wrong-value|run|ConvTranspose:float32', divergence: { op: 'ConvTranspose' } })).toEqual([
      { culprit: 'tfjs-wasm', symptom: 'wrong-value', stage: 'run', op: 'ConvTranspose' },
    ]);
    // a hand-made one-node case: the operator of its only node
    expect(derivedPatterns({ culprit: 'tfjs-wasm', symptom: 'wrong-value', graph: { nodes: [{ op: 'Sign' }] } })).toEqual([{ culprit: 'tfjs-wasm', symptom: 'wrong-value', stage: '*', op: 'Sign' }]);
    // an error at no operator keeps the key's error text
    expect(derivedPatterns({ culprit: 'x', symptom: 'load-error', bucketKey: 'x|load-error|load|?:boom N' })).toEqual([{ culprit: 'x', symptom: 'load-error', stage: 'load', op: '*', rest: 'boom N' }]);
    expect(derivedPatterns({ symptom: 'crash' })).toEqual([]);
    expect(derivedPatterns({ culprit: 'x', symptom: 'crash', graph: { nodes: [{ op: 'A' }, { op: 'B' }] } })).toEqual([]);
  });

  it("read every case of onnxsmith's corpus with a knownAs of its own", () => {
    const cases = corpusKnown(defaultCorpus());
    expect(cases.length).toBeGreaterThanOrEqual(14);
    for (const c of cases) {
      expect(c.patterns.length, c.id).toBeGreaterThan(0);
      for (const e of c.entries) expect(e.label.source).toBe(`corpus/${c.id}`);
    }
    expect(cases.filter((c) => c.id.startsWith('ort-')).every((c) => !c.derived)).toBe(true);
  });

  it('name a corpus case whose knownAs is malformed, and note one that matches nothing', () => {
    const root = mkdtempSync(join(tmpdir(), 'onnxsmith-known-'));
    const add = (id: string, json: unknown): void => {
      mkdirSync(join(root, id));
      writeFileSync(join(root, id, 'case.json'), JSON.stringify(json));
    };
    add('harness', { title: 'a harness bug', harnessBug: 'reference wrong' });
    expect(loadKnown({ enabled: true, corpus: root, entries: [] }).notes).toEqual([expect.stringMatching(/corpus case harness names no culprit and operator/)]);
    add('bad', { culprit: 'x', symptom: 'crash', knownAs: ['x|crash|run'] });
    expect(() => corpusKnown(root)).toThrow(/bad\/case\.json: knownAs\[0\] 'x\|crash\|run' is not a bucket key pattern/);
    expect(() => corpusKnown(join(root, 'nope'))).toThrow(/corpus folder .*nope does not exist/);
  });
});

describe('Tally with known bugs', () => {
  const hit = (key: string, k: number) => ({ key, slug: key.replace(/\W/g, '-'), culprit: key.split('|')[0]!, symptom: key.split('|')[1]!, stage: 'run', detail: `at ${k}` });
  const record = (k: number, keys: string[]): ProgressRecord => ({
    k,
    seed: k,
    session: 1,
    status: keys.length ? ('finding' as const) : ('pass' as const),
    hits: keys.map((key) => hit(key, k)),
    ops: [],
    search: { ok: true, iterations: 1, ms: 1, method: 'gradient' },
    ms: { generate: 0, search: 0, reference: 0, backends: 0, localise: 0, write: 0, total: 0 },
    backendMs: {},
    at: k,
  });
  const KNOWN = 'tfjs-wasm|wrong-value|run|Cast:bool';
  const NEW = 'tfjs-cpu|wrong-value|run|Abs:float32';
  const records = [record(0, [KNOWN]), record(1, [NEW, KNOWN]), record(2, []), record(3, [KNOWN]), record(4, [NEW])];

  it('labels a bucket when it opens, sorts new bugs first and splits buckets and findings', () => {
    let calls = 0;
    const known = new KnownBugs([], true, []).labeller({});
    const counting: typeof known = (b) => (calls++, known(b));
    const t = new Tally(records, counting);
    // once per bucket, not per hit
    expect(calls).toBe(2);
    expect(t.bucketList().map((b) => [b.key, b.known?.source])).toEqual([
      [NEW, undefined],
      [KNOWN, 'exclusion'],
    ]);
    expect(t.stats(1000, {})).toMatchObject({ findings: 4, newFindings: 2, knownFindings: 2, buckets: 2, newBuckets: 1, knownBuckets: 1 });
    // without a labeller every bucket is new
    expect(new Tally(records).stats(1000, {})).toMatchObject({ newFindings: 4, knownFindings: 0, newBuckets: 2, knownBuckets: 0 });
  });

  it('gives the same labels and counts whatever order the cases arrive in', () => {
    const label = new KnownBugs([], true, []).labeller({});
    const a = new Tally(records, label);
    const b = new Tally([...records].reverse(), label);
    expect(b.bucketList()).toEqual(a.bucketList());
    expect(b.stats(1, {})).toEqual(a.stats(1, {}));
  });
});
