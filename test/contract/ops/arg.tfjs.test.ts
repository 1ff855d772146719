/**
 * ArgMax and ArgMin lowered to tfjs, select_last_index included (ties are frequent with integer inputs).
 * Forward and backward instances on tfjs-cpu and tfjs-wasm (the backend contract samples only 4 forward ones);
 * float64 left out (tfjs has none). TFJS_RUNS=n samples more.
 */
import { argOps } from '../../../generators/ops/arg.js';
import { describeSampledOnTfjs, tfjsRuns } from '../../helpers/tfjs-contract.js';

describeSampledOnTfjs({ title: (backend) => `arg on ${backend}`, ops: argOps, runs: tfjsRuns(20) });
