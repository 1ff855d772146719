import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateGraph } from '../../generators/validate.js';
import { importModel } from '../../src/onnx/index.js';
import { interpret } from '../../src/reference/interpreter.js';
import { readInputs } from '../../src/run/inputs.js';

const root = join(import.meta.dirname, '../../corpus');
const cases = readdirSync(root).filter((d) => existsSync(join(root, d, 'model.onnx')));

describe('corpus', () => {
  it('holds cases', () => expect(cases.length).toBeGreaterThan(0));
  for (const c of cases) {
    it(`${c}: loads, is valid, has its inputs and a description, and runs on the reference`, () => {
      const { graph } = importModel(readFileSync(join(root, c, 'model.onnx')));
      expect(validateGraph(graph)).toEqual([]);
      const feeds = readInputs(graph, join(root, c, 'inputs'));
      const meta = JSON.parse(readFileSync(join(root, c, 'case.json'), 'utf8')) as { title?: string; status?: string; culprit?: string };
      expect(meta.title ?? '').not.toBe('');
      expect(meta.status ?? '').not.toBe('');
      expect(meta.culprit ?? '').not.toBe('');
      const env = interpret(graph, feeds);
      for (const o of graph.outputs) expect(env.get(o.name)).toBeDefined();
    });
  }
});
