export * from './errors.js';
export * from './opset.js';
export * from './tensor-proto.js';
export * from './export.js';
export * from './import.js';
export * from './validate.js';
