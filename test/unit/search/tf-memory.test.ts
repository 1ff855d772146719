import { describe, expect, it } from 'vitest';
import { caseSeed, generateGraph, resolveOptions } from '../../../generators/graph.js';
import { loadSearchTf, searchInputs } from '../../../src/search/search.js';

describe('the gradient search and tfjs memory', () => {
  // a gradient step that throws (no gradient for an operator, no stability loss) left the tensors tfjs's tape saved
  // kept forever: 814 after case 596 of seed 5, 20,000 after 3,000 searches, and a campaign's memory grew with them
  it('leaves no tensor behind over many searches, failed gradient steps included', async () => {
    const tf = await loadSearchTf();
    const o = resolveOptions({});
    const before = tf.memory().numTensors;
    for (let k = 500; k < 700; k++) searchInputs(generateGraph(caseSeed(5, k), o), caseSeed(5, k), tf, { method: 'gradient' });
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);
});
