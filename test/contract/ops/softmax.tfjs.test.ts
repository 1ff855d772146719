/**
 * Softmax and LogSoftmax lowered to tfjs, along every axis.
 * Forward and backward instances on tfjs-cpu and tfjs-wasm (the backend contract samples only 4 forward ones);
 * float64 left out (tfjs has none). TFJS_RUNS=n samples more.
 */
import { softmaxOps } from '../../../generators/ops/softmax.js';
import { describeSampledOnTfjs, tfjsRuns } from '../../helpers/tfjs-contract.js';

describeSampledOnTfjs({ title: (backend) => `softmax on ${backend}`, ops: softmaxOps, runs: tfjsRuns(20) });
