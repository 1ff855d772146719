/**
 * The reductions' tfjs lowerings in both axes forms: opset 17 (axes an attribute; ReduceSum an input) and
 * opset 18 (every reduction takes axes as an input, with noop_with_empty_axes).
 * Forward and backward instances on tfjs-cpu and tfjs-wasm (the backend contract samples only 4 forward ones);
 * float64 left out (tfjs has none). TFJS_RUNS=n samples more.
 */
import { reduceOps } from '../../../generators/ops/reduce.js';
import { describeSampledOnTfjs, tfjsRuns } from '../../helpers/tfjs-contract.js';

describeSampledOnTfjs({ title: (backend) => `reduce on ${backend}`, ops: reduceOps, runs: tfjsRuns(20), opsets: [17, 18] });
