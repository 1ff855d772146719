import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/errors.js';
import { applyExpectations, parseExpectations } from '../../../src/gate/expectations.js';
import { sampleReport } from './report.js';

describe('expectations file', () => {
  it('reads "ID: reason" lines, skipping blank lines and # comments', () => {
    const e = parseExpectations('# accepted for the 1.12 pin\n\nconv-new: 1.12.1 pads the wrong side, see #123\n  run-error/ReduceSum/8c99aa38 :  absent axes \n', 'expect.txt');
    expect(e).toEqual([
      { id: 'conv-new', reason: '1.12.1 pads the wrong side, see #123', at: 'expect.txt:3' },
      { id: 'run-error/ReduceSum/8c99aa38', reason: 'absent axes', at: 'expect.txt:4' },
    ]);
  });

  it('rejects an entry without a reason, naming the line', () => {
    expect(() => parseExpectations('conv-new\n', 'expect.txt')).toThrow(UsageError);
    expect(() => parseExpectations('ok: fine\nconv-new:   \n', 'expect.txt')).toThrow(/expect\.txt:2: 'conv-new' has no reason/);
    expect(() => parseExpectations('two words: x\n', 'e.txt')).toThrow(/e\.txt:1: expected 'CASE-OR-RULE-ID: reason'/);
  });

  it('reads the JSON form and holds it to the same rules', () => {
    expect(parseExpectations('[{"id": "conv-new", "reason": "known"}]', 'e.json')).toEqual([{ id: 'conv-new', reason: 'known', at: 'e.json[0]' }]);
    expect(() => parseExpectations('[{"id": "conv-new"}]', 'e.json')).toThrow(/e\.json\[0\]: 'conv-new' has no "reason"/);
    expect(() => parseExpectations('{"id": "x"}', 'e.json')).toThrow(/JSON array/);
    expect(() => parseExpectations('[', 'e.json')).toThrow(/not valid JSON/);
  });

  it('rejects an id listed twice', () => {
    expect(() => parseExpectations('a: x\na: y\n', 'e.txt')).toThrow(/e\.txt:2: 'a' is already listed at e\.txt:1/);
  });
});

describe('applying expectations', () => {
  const cases = sampleReport().cases;

  it('accepts a new failure by case id', () => {
    const { cases: out, stale } = applyExpectations(cases, parseExpectations('conv-new: known 1.12 bug', 'e.txt'));
    expect(out.find((c) => c.id === 'conv-new')!.expected).toBe('known 1.12 bug');
    expect(stale).toEqual([]);
  });

  it('accepts a new failure by rule id', () => {
    const { cases: out } = applyExpectations(cases, parseExpectations('wrong-value/ConvTranspose/06b7449d: any case of it', 'e.txt'));
    expect(out.find((c) => c.id === 'conv-new')!.expected).toBe('any case of it');
  });

  it('reports expectations that match no new failure as stale, saying what they match now', () => {
    const { cases: out, stale } = applyExpectations(cases, parseExpectations('fixed-one: was new once\nrun-error/ReduceSum/8c99aa38: old\nghost: gone', 'e.txt'));
    expect(out.every((c) => c.expected === undefined)).toBe(true);
    expect(stale.map((s) => [s.id, s.now])).toEqual([
      ['fixed-one', 'fixed-one is fixed'],
      ['run-error/ReduceSum/8c99aa38', 'reduce-still is still failing'],
      ['ghost', 'no case or rule with this id ran'],
    ]);
  });
});
