/**
 * CumSum and Trilu lowered to tfjs: exclusive/reverse, every k form and bool data included.
 * Forward and backward instances on tfjs-cpu and tfjs-wasm (the backend contract samples only 4 forward ones);
 * float64 left out (tfjs has none). TFJS_RUNS=n samples more.
 */
import { scanOps } from '../../../generators/ops/scan.js';
import { describeSampledOnTfjs, tfjsRuns } from '../../helpers/tfjs-contract.js';

describeSampledOnTfjs({ title: (backend) => `scan on ${backend}`, ops: scanOps, runs: tfjsRuns(20) });
