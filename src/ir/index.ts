export * from './types.js';
export * from './canonical.js';
export * from './tensor.js';
