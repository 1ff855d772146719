import { describe, expect, it } from 'vitest';
import { findOp } from '../../../generators/ops/index.js';
import { loadNodeTest, nodeTestNames } from '../../../src/conformance/node-tests.js';
import { REFERENCE_EXCEPTIONS } from '../../../src/conformance/reference-exceptions.js';
import { runNodeTestOnReference } from '../../../src/conformance/reference-runner.js';

// ONNX_OPS=Conv,MaxPool narrows the run while developing an operator
const only = process.env.ONNX_OPS?.split(',');
const names = nodeTestNames();

it('has the ONNX node tests to run (Debian package libonnx-testdata; .ci/run installs it)', () => {
  if (process.env.CI) expect(names.length).toBeGreaterThan(900);
});

describe.skipIf(names.length === 0)("reference interpreter on ONNX's node tests", () => {
  const cases = names.map((n) => loadNodeTest(n)).filter((c) => c.ops.some((o) => findOp(o)));
  const relevant = only ? cases.filter((c) => c.ops.some((o) => only.includes(o))) : cases;

  it('covers the implemented operators', () => {
    expect(relevant.length).toBeGreaterThan(0);
  });

  for (const c of relevant) {
    const excused = REFERENCE_EXCEPTIONS[c.name];
    it(`${c.name}${excused ? ' (excepted)' : ''}`, () => {
      const v = runNodeTestOnReference(c);
      if (excused) {
        // an exception that no longer applies must be removed from the list
        expect(v.status, `${c.name} passes now: remove it from REFERENCE_EXCEPTIONS`).not.toBe('pass');
      } else {
        expect(v, `${c.name}`).toEqual({ status: 'pass' });
      }
    });
  }
});
