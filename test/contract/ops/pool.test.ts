import { describeOpSuites, OP_SUITES } from '../../helpers/op-suites.js';
import { onOnnxruntime } from '../../helpers/ort-compare.js';

describeOpSuites(OP_SUITES['pool'], onOnnxruntime);
