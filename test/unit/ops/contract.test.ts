/**
 * The reference half of every operator family's contract (test/helpers/op-suites.ts): instances infer valid types
 * and the reference produces them. test/contract/ops runs the same cases on onnxruntime-node too.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPS } from '../../../generators/ops/index.js';
import { describeOpSuites, OP_SUITES } from '../../helpers/op-suites.js';

describeOpSuites(Object.values(OP_SUITES).flat());

describe('operator contract cases', () => {
  it('cover every registered operator', () => {
    const covered = new Set(Object.values(OP_SUITES).flatMap((suites) => suites.flatMap((s) => s.cases.map((c) => c.op.onnx))));
    expect(OPS.map((op) => op.onnx).filter((name) => !covered.has(name)), 'operators without a case in test/helpers/op-suites.ts').toEqual([]);
  });

  it('each run on onnxruntime-node by its own test/contract/ops file', () => {
    const dir = join(import.meta.dirname, '../../contract/ops');
    expect(Object.keys(OP_SUITES).filter((name) => !existsSync(join(dir, `${name}.test.ts`))), 'suites without a test/contract/ops file').toEqual([]);
  });
});
