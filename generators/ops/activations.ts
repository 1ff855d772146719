/** Relu, LeakyRelu, Elu, Selu, Sigmoid, HardSigmoid, Tanh, Softplus, ... */
import type { OpSpec } from './spec.js';

/** This family's operators, in registry order. */
export const activationOps: readonly OpSpec[] = [];
