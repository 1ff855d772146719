import { describe, expect, it } from 'vitest';
import { tensorFileName } from '../../../src/backends/command.js';

describe('tensorFileName', () => {
  it('keeps plain names readable', () => {
    expect(tensorFileName('x0')).toBe('x0.pb');
    expect(tensorFileName('conv1.weight')).toBe('conv1.weight.pb');
  });

  it('maps distinct names to distinct files, escapes included', () => {
    const names = ['a/b', 'a_2fb', 'a_b', 'a:b', 'a b', 'é', '\u00c3\u00a9', 'Ā1', '\u0010' + '1', '', '_', '..', 'A', 'a'];
    const files = names.map(tensorFileName);
    expect(new Set(files).size).toBe(names.length);
    for (const f of files) expect(f).toMatch(/^[A-Za-z0-9._~-]+$/);
  });

  it('keeps long names under file-system limits, still distinct', () => {
    const a = 'n'.repeat(300);
    const b = `${'n'.repeat(299)}m`;
    expect(Buffer.byteLength(tensorFileName(a))).toBeLessThanOrEqual(128);
    expect(tensorFileName(a)).not.toBe(tensorFileName(b));
    expect(tensorFileName('/'.repeat(200)).length).toBeLessThanOrEqual(128);
  });
});
