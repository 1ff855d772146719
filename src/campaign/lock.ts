/**
 * One campaign session per folder: `DIR/campaign.lock`, created with O_EXCL, holds the pid, host and start time of
 * the session and is touched every few seconds. A lock whose process is gone (same host, pid dead) or whose
 * heartbeat stopped (another host) is taken over; a live one refuses the second session.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CampaignError } from './errors.js';

export const LOCK_FILE = 'campaign.lock';
/** A lock from another host whose heartbeat is older than this is stale (its pid cannot be checked from here). */
export const LOCK_STALE_MS = 60_000;
const HEARTBEAT_MS = 5_000;
/** Tokens of the locks this process holds (a lock with this pid and another token is left from an earlier process). */
const heldTokens = new Set<string>();

interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
  readonly token: string;
}

export interface CampaignLock {
  readonly file: string;
  /** Removes the lock if it is still this session's. */
  release(): void;
}

function readLock(file: string): { info: LockInfo | undefined; ageMs: number; raw: string } | undefined {
  let raw: string;
  let mtime: number;
  try {
    raw = readFileSync(file, 'utf8');
    mtime = statSync(file).mtimeMs;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let info: LockInfo | undefined;
  try {
    const j = JSON.parse(raw) as Partial<LockInfo>;
    if (typeof j.pid === 'number' && typeof j.host === 'string' && typeof j.started === 'string' && typeof j.token === 'string') info = j as LockInfo;
  } catch {
    // written by a session killed between creating and filling the file
  }
  return { info, ageMs: Date.now() - mtime, raw };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a lock may be taken over, or undefined while its session may still be running. */
function staleReason(l: NonNullable<ReturnType<typeof readLock>>): string | undefined {
  const { info, ageMs } = l;
  if (!info) return ageMs > LOCK_STALE_MS ? 'unreadable lock file' : undefined;
  if (info.host === hostname()) {
    if (info.pid === process.pid) return heldTokens.has(info.token) ? undefined : `pid ${info.pid} is this process, which does not hold it`;
    return pidAlive(info.pid) ? undefined : `pid ${info.pid} is not running`;
  }
  return ageMs > LOCK_STALE_MS ? `no heartbeat from ${info.host} for ${Math.round(ageMs / 1000)} s` : undefined;
}

/**
 * Takes the lock of campaign folder `dir` (which must exist) or throws CampaignError naming the session that holds
 * it. `note` hears about a stale lock taken over.
 */
export function lockCampaign(dir: string, note: (msg: string) => void = () => {}): CampaignLock {
  const file = join(dir, LOCK_FILE);
  const mine: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number | undefined;
    try {
      fd = openSync(file, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (fd !== undefined) {
      try {
        writeSync(fd, JSON.stringify(mine) + '\n');
      } finally {
        closeSync(fd);
      }
      return held(file, mine);
    }
    const cur = readLock(file);
    if (!cur) continue;
    const why = staleReason(cur);
    if (why === undefined) {
      const who = cur.info ? `pid ${cur.info.pid} on ${cur.info.host}, started ${cur.info.started}` : 'a session that is starting';
      throw new CampaignError(
        `${dir} is in use by another onnxsmith session (${who}); wait for it to end, or delete ${file} if that process is not onnxsmith`,
      );
    }
    // set the stale lock aside; if another session replaced it meanwhile, put theirs back
    const aside = `${file}.stale-${mine.pid}-${mine.token}`;
    try {
      renameSync(file, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    if (readFileSync(aside, 'utf8') !== cur.raw) {
      try {
        linkSync(aside, file);
      } catch {
        // a third session holds the lock now; the next attempt reports it
      }
      unlinkSync(aside);
      continue;
    }
    unlinkSync(aside);
    note(`taking over the lock of ${dir} from a session that is gone (${cur.info ? `pid ${cur.info.pid} on ${cur.info.host}, started ${cur.info.started}; ` : ''}${why})`);
  }
  throw new CampaignError(`could not lock ${dir}: other sessions keep taking ${file}`);
}

function held(file: string, mine: LockInfo): CampaignLock {
  const heartbeat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(file, now, now);
    } catch {
      // the lock was removed under us; release() will not remove another session's
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  heldTokens.add(mine.token);
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    heldTokens.delete(mine.token);
    process.off('exit', release);
    try {
      if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as LockInfo).token === mine.token) unlinkSync(file);
    } catch {
      // nothing of ours to remove
    }
  };
  // Ctrl-C twice exits at once: the lock goes with the process
  process.on('exit', release);
  return { file, release };
}
