import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentProblem } from '../../../src/cli/errors.js';

function fsError(code: string, syscall: string, path?: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: something, ${syscall}${path ? ` '${path}'` : ''}`) as NodeJS.ErrnoException;
  e.code = code;
  e.syscall = syscall;
  if (path) e.path = path;
  return e;
}

describe('environment errors (exit 2) against harness bugs (exit 3)', () => {
  it('names the path and the problem of a permission or read-only error, wherever it is', () => {
    expect(environmentProblem(fsError('EACCES', 'mkdir', '/data/out'), ['gen', '--out', 'x'], '/')).toBe('cannot create folder /data/out: permission denied');
    expect(environmentProblem(fsError('EROFS', 'open', 'r.html'), [], '/mnt')).toBe('cannot open /mnt/r.html: read-only file system');
    expect(environmentProblem(fsError('ENOSPC', 'write'), [])).toMatch(/^no space left on the device \(ENOSPC/);
  });

  it('takes a file-where-a-folder-goes error for the user only on a path the user gave', () => {
    const argv = ['fuzz', '--out', 'runs/a', '--inputs=in'];
    expect(environmentProblem(fsError('ENOTDIR', 'mkdir', '/w/runs/a/work'), argv, '/w')).toBe('cannot create folder /w/runs/a/work: part of that path is a file, not a folder');
    expect(environmentProblem(fsError('EISDIR', 'open', '/w/in/x.pb'), argv, '/w')).toMatch(/x\.pb: it is a folder/);
    // onnxsmith's own paths stay harness bugs
    expect(environmentProblem(fsError('ENOTDIR', 'mkdir', '/w/runs/ab'), argv, '/w')).toBeUndefined();
    expect(environmentProblem(fsError('ENOTEMPTY', 'rmdir', '/w/runs/a/work/job-0'), argv, '/w')).toBeUndefined();
    expect(environmentProblem(new TypeError('x is undefined'), argv)).toBeUndefined();
  });

  it('maps the real error of writing under a file', () => {
    const t = mkdtempSync(join(tmpdir(), 'onnxsmith-env-'));
    writeFileSync(join(t, 'file'), 'x');
    let err: unknown;
    try {
      writeFileSync(join(t, 'file', 'r.html'), 'x');
    } catch (e) {
      err = e;
    }
    expect(environmentProblem(err, ['report', 'c', '--out', join(t, 'file', 'r.html')])).toBe(`cannot open ${join(t, 'file', 'r.html')}: part of that path is a file, not a folder`);
  });
});
