/**
 * Opsets onnxsmith writes. 17 is the default: it is the newest opset that onnxruntime-node 1.12 (the oldest
 * release the version gate compares against) accepts, and it has LayerNormalization. 18 moves the axes of
 * ReduceMean/Max/Min/Prod from an attribute to an input; the operator specs generate both forms.
 */
export const DEFAULT_OPSET = 17;
export const SUPPORTED_OPSETS: readonly number[] = [17, 18];
/** ONNX IR version written into models (IR 8 covers opsets up to 18). */
export const IR_VERSION = 8;
