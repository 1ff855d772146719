/** The unit tier's guard (test/helpers/unit-guard.ts) is in force: no process, no worker, no runtime loaded. */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { loadedRuntimes } from '../helpers/unit-guard.js';

describe('the unit tier', () => {
  it('refuses to start a process or a worker, saying where the test belongs', () => {
    expect(() => spawnSync(process.execPath, ['-e', '0'])).toThrow(/child_process\.spawnSync in the unit tier; .*test\/contract/);
    expect(() => spawn(process.execPath, ['-e', '0'])).toThrow(/child_process\.spawn in the unit tier/);
    expect(() => execFileSync(process.execPath, ['-e', '0'])).toThrow(/child_process\.execFileSync in the unit tier/);
    expect(() => new Worker('0', { eval: true })).toThrow(/new Worker in the unit tier/);
  });

  it('has loaded no runtime under test by the time this file runs', () => {
    expect(loadedRuntimes()).toEqual([]);
  });
});
