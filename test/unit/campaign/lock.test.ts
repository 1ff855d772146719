import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CampaignError } from '../../../src/campaign/errors.js';
import { LOCK_FILE, LOCK_STALE_MS, lockCampaign } from '../../../src/campaign/lock.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'onnxsmith-lock-'));

function writeLock(d: string, info: { pid: number; host: string }, ageMs = 0): void {
  const f = join(d, LOCK_FILE);
  writeFileSync(f, JSON.stringify({ ...info, started: '2026-01-01T00:00:00.000Z', token: 'other' }));
  const t = new Date(Date.now() - ageMs);
  utimesSync(f, t, t);
}

/** A pid no process has now (the unit tier starts no process to get one). */
function deadPid(): number {
  for (let pid = 4_000_000; pid > 1; pid -= 997) {
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') return pid;
    }
  }
  throw new Error('every pid probed is in use');
}

describe('campaign lock', () => {
  it('holds pid, host and start time, refuses a second holder, and is removed on release', () => {
    const d = dir();
    const lock = lockCampaign(d);
    const info = JSON.parse(readFileSync(join(d, LOCK_FILE), 'utf8')) as { pid: number; host: string; started: string };
    expect(info.pid).toBe(process.pid);
    expect(info.host).toBe(hostname());
    expect(Date.parse(info.started)).toBeGreaterThan(Date.now() - 60_000);
    expect(() => lockCampaign(d)).toThrow(CampaignError);
    expect(() => lockCampaign(d)).toThrow(`${d} is in use by another onnxsmith session (pid ${process.pid} on ${hostname()}`);
    lock.release();
    expect(existsSync(join(d, LOCK_FILE))).toBe(false);
    lockCampaign(d).release();
  });

  it('refuses while the holding process on this host is alive, naming the folder and the pid', () => {
    const d = dir();
    // the test runner that started this worker: alive, on this host, and not this process
    writeLock(d, { pid: process.ppid, host: hostname() }, 10 * LOCK_STALE_MS);
    expect(() => lockCampaign(d)).toThrow(new RegExp(`^${d} is in use by another onnxsmith session \\(pid ${process.ppid} on `));
  });

  it('takes over the lock of a process that is gone, and says so', () => {
    const d = dir();
    const pid = deadPid();
    writeLock(d, { pid, host: hostname() });
    const notes: string[] = [];
    const lock = lockCampaign(d, (m) => notes.push(m));
    expect(notes).toEqual([expect.stringContaining(`taking over the lock of ${d} from a session that is gone (pid ${pid} on ${hostname()}`)]);
    expect((JSON.parse(readFileSync(join(d, LOCK_FILE), 'utf8')) as { pid: number }).pid).toBe(process.pid);
    lock.release();
  });

  it('trusts another host while its heartbeat is fresh, and takes over once it stopped', () => {
    const d = dir();
    writeLock(d, { pid: 1, host: 'elsewhere' });
    expect(() => lockCampaign(d)).toThrow(/pid 1 on elsewhere/);
    writeLock(d, { pid: 1, host: 'elsewhere' }, LOCK_STALE_MS + 5_000);
    const notes: string[] = [];
    lockCampaign(d, (m) => notes.push(m)).release();
    expect(notes[0]).toMatch(/no heartbeat from elsewhere/);
  });

  it('does not remove a lock that another session took over', () => {
    const d = dir();
    const lock = lockCampaign(d);
    writeLock(d, { pid: 1, host: 'elsewhere' });
    lock.release();
    expect(existsSync(join(d, LOCK_FILE))).toBe(true);
  });
});
