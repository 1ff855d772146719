/**
 * Backends that misbehave as real ones do — hang, die, leave children behind, flood stderr or the disk — must
 * become findings (or a clear error) and never stop a campaign, lose a case or leave anything behind.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onnxsmith, onnxsmithAsync } from '../helpers/cli.js';
import { modelWith } from '../helpers/models.js';

const fixtures = join(import.meta.dirname, '../fixtures/backends');
const hang = `module:${join(fixtures, 'hang.mjs')}`;
const tool = `command:${join(fixtures, 'faithful-tool.mjs')}`;
const sometimes = (fault: string): string => `module:${join(fixtures, `sometimes-${fault}.mjs`)}`;

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'onnxsmith-hostile-'));
}

function writeModel(dir: string, bytes = modelWith(['Add', 'Abs'])): string {
  const p = join(dir, 'model.onnx');
  writeFileSync(p, bytes);
  return p;
}

/** Whether a process still runs (a zombie waiting for init to reap it does not). */
function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The processes of `pids` still running a moment later (SIGKILL takes effect asynchronously). */
function survivors(pids: readonly number[]): number[] {
  const until = Date.now() + 3000;
  let left = pids.filter(running);
  while (left.length > 0 && Date.now() < until) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    left = left.filter(running);
  }
  return left;
}

function progressCount(out: string): number {
  return readFileSync(join(out, 'progress.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).length;
}

interface Stats {
  cases: number;
}

describe('a campaign with a hanging backend', () => {
  it('records every case as a timeout and finishes, with stats and progress agreeing', async () => {
    const out = join(scratch(), 'c');
    const r = await onnxsmithAsync(['fuzz', '--backends', `ort-node-cpu,${hang}`, '--timeout', '1500', '--max-cases', '5', '--jobs', '1', '--seed', '3', '--out', out], {
      timeoutMs: 180_000,
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
    const stats = JSON.parse(readFileSync(join(out, 'stats.json'), 'utf8')) as Stats;
    expect(stats.cases).toBe(5);
    expect(progressCount(out)).toBe(5);
    const buckets = readFileSync(join(out, 'buckets.json'), 'utf8');
    expect(buckets).toMatch(/timeout/);
  });

  it('survives a backend that hangs on some cases and one that segfaults on others, losing no case', async () => {
    const out = join(scratch(), 'c');
    const r = await onnxsmithAsync(
      ['fuzz', '--backends', `reference,ort-node-cpu,${sometimes('hang')},${sometimes('segv')}`, '--timeout', '3000', '--max-cases', '40', '--jobs', '2', '--seed', '11', '--out', out],
      { timeoutMs: 300_000, env: { ONNXSMITH_FIXTURE_EVERY: '5' } },
    );
    expect(r.code, r.stderr).toBe(1);
    const stats = JSON.parse(readFileSync(join(out, 'stats.json'), 'utf8')) as Stats;
    expect(stats.cases).toBe(40);
    expect(progressCount(out)).toBe(40);
    const buckets = readFileSync(join(out, 'buckets.json'), 'utf8');
    expect(buckets).toMatch(/sometimes-hang\.mjs\|timeout/);
    expect(buckets).toMatch(/sometimes-segv\.mjs\|crash/);
    // a hang is a finding only once the case has also run past twice the limit on a fresh worker
    expect(buckets).toMatch(/no result within 6000 ms/);
  }, 300_000);
});

describe('a backend that stalls once', () => {
  it('is no timeout finding when the case runs on its second try', async () => {
    const dir = scratch();
    const marks = join(dir, 'marks');
    mkdirSync(marks);
    const out = join(dir, 'c');
    const r = await onnxsmithAsync(
      ['fuzz', '--backends', `ort-node-cpu,module:${join(fixtures, 'hang-once.mjs')}`, '--timeout', '1500', '--max-cases', '4', '--jobs', '1', '--seed', '3', '--out', out],
      { timeoutMs: 120_000, env: { ONNXSMITH_FIXTURE_MARKS: marks } },
    );
    expect(r.code, r.stderr).toBe(0);
    // every case hung once, and none is a finding
    expect(readdirSync(marks)).toHaveLength(4);
    expect(JSON.parse(readFileSync(join(out, 'buckets.json'), 'utf8'))).toEqual([]);
  }, 120_000);
});

describe('command backends that misbehave', () => {
  it('kills what a tool leaves running, and a child holding stderr does not turn a good run into a timeout', () => {
    const dir = scratch();
    const pids = join(dir, 'pids');
    const r = onnxsmith(['run', writeModel(dir), '--backends', `reference,${tool}`, '--timeout', '20000', '--json'], {
      env: { ONNXSMITH_FIXTURE_MODE: 'orphan', ONNXSMITH_FIXTURE_PIDS: pids },
    });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const left = readFileSync(pids, 'utf8').split('\n').filter(Boolean).map(Number);
    expect(left.length).toBeGreaterThan(0);
    expect(survivors(left)).toEqual([]);
  });

  it('kills a hanging tool and its children, and leaves no scratch folder behind', () => {
    const dir = scratch();
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const pids = join(dir, 'pids');
    const r = onnxsmith(['run', writeModel(dir), '--backends', `reference,${tool}`, '--timeout', '3000', '--json'], {
      env: { ONNXSMITH_FIXTURE_MODE: 'hang', ONNXSMITH_FIXTURE_PIDS: pids, TMPDIR: tmp },
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/"kind": ?"timeout"/);
    const left = readFileSync(pids, 'utf8').split('\n').filter(Boolean).map(Number);
    expect(survivors(left)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("keeps the last lines of a tool's stderr, where its error is", () => {
    const dir = scratch();
    const r = onnxsmith(['run', writeModel(dir), '--backends', `reference,${tool}`, '--json'], { env: { ONNXSMITH_FIXTURE_MODE: 'noisy' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/fatal: the real error is on the last line/);
  });

  it('refuses an output file far larger than its tensor', () => {
    const dir = scratch();
    const r = onnxsmith(['run', writeModel(dir), '--backends', `reference,${tool}`, '--json'], { env: { ONNXSMITH_FIXTURE_MODE: 'flood' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/wrote \d+ bytes to outputs\/[^ ]+, more than \d+ for a float32\[/);
  });

  it('says a folder is not an executable', () => {
    const dir = scratch();
    const r = onnxsmith(['run', writeModel(dir), '--backends', `reference,command:${dir}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not a file/);
    expect(existsSync(join(dir, 'model.onnx'))).toBe(true);
  });

  it('replays or reduces a case only with the programs the user names, not those its case.json names', () => {
    const dir = scratch();
    const canary = join(dir, 'ran');
    const evil = join(dir, 'evil.sh');
    writeFileSync(evil, `#!/bin/sh\ntouch ${canary}\nexit 3\n`, { mode: 0o755 });
    writeModel(dir);
    writeFileSync(join(dir, 'case.json'), JSON.stringify({ culprit: `command:${evil}`, symptom: 'run-error', backends: [{ name: 'ort-node-cpu' }, { name: `command:${evil}` }] }));
    for (const verb of ['replay', 'reduce']) {
      const r = onnxsmith([verb, dir]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`names command:${evil}, which would run a program of the case's choosing; name it yourself to run it: --backends ort-node-cpu,command:${evil}`);
      expect(existsSync(canary)).toBe(false);
    }
  });
});
