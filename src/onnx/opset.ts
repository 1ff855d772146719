/**
 * Opsets onnxsmith writes. 17 is the default: it is the newest opset that onnxruntime-node 1.12 (the oldest
 * release the version gate compares against) accepts, and it has LayerNormalization. 18 moves the axes of
 * ReduceMean/Max/Min/Prod from an attribute to an input; the operator specs generate both forms.
 */
export const DEFAULT_OPSET = 17;
export const SUPPORTED_OPSETS: readonly number[] = [17, 18];
/** ONNX IR version written into models (IR 8 covers opsets up to 18). */
export const IR_VERSION = 8;

/**
 * Opsets an imported model may declare for the default domain: 1 up to the newest opset ONNX has defined (23, ONNX
 * 1.18). A model claiming a later one is outside what onnxsmith knows, so its operators' meaning is unknown.
 */
export const MIN_IMPORT_OPSET = 1;
export const MAX_IMPORT_OPSET = 23;

/** How many inputs and outputs a node of an operator may have; `required` leading inputs must not be ''. */
export interface Arity {
  readonly inputs: readonly [min: number, max: number];
  readonly outputs: readonly [min: number, max: number];
}

const ONE_IN: Arity = { inputs: [1, 1], outputs: [1, 1] };
const TWO_IN: Arity = { inputs: [2, 2], outputs: [1, 1] };
const VARIADIC: Arity = { inputs: [1, Infinity], outputs: [1, 1] };
const REDUCE: Arity = { inputs: [1, 2], outputs: [1, 1] };

const UNARY = [
  'Abs', 'Neg', 'Exp', 'Log', 'Sqrt', 'Reciprocal', 'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Acosh',
  'Atanh', 'Erf', 'Floor', 'Ceil', 'Round', 'Sign', 'Relu', 'LeakyRelu', 'Elu', 'Selu', 'Sigmoid', 'HardSigmoid', 'Tanh',
  'Softplus', 'Softsign', 'HardSwish', 'Celu', 'ThresholdedRelu', 'Not', 'Cast', 'Softmax', 'LogSoftmax', 'ArgMax', 'ArgMin',
  'Flatten', 'Transpose', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool',
];
const BINARY = [
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Mod', 'Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual', 'And', 'Or', 'Xor',
  'PRelu', 'MatMul', 'CumSum', 'Expand', 'Gather',
];
const REDUCES = ['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'];

/**
 * Input and output counts of every operator onnxsmith implements, from the ONNX operator schemas, as the union over
 * all their versions (Reshape-1 took its shape as an attribute, Reshape-5 as an input), so no valid model of any opset
 * is refused. A unit test checks that every operator in generators/ops has an entry.
 */
export const ARITY: ReadonlyMap<string, Arity> = new Map<string, Arity>([
  ...UNARY.map((op) => [op, ONE_IN] as const),
  ...BINARY.map((op) => [op, TWO_IN] as const),
  ...REDUCES.map((op) => [op, REDUCE] as const),
  ...['Max', 'Min', 'Sum', 'Mean', 'Concat'].map((op) => [op, VARIADIC] as const),
  ['Clip', { inputs: [1, 3], outputs: [1, 1] }],
  ['Where', { inputs: [3, 3], outputs: [1, 1] }],
  ['Gemm', { inputs: [2, 3], outputs: [1, 1] }],
  ['Conv', { inputs: [2, 3], outputs: [1, 1] }],
  ['ConvTranspose', { inputs: [2, 3], outputs: [1, 1] }],
  ['MaxPool', { inputs: [1, 1], outputs: [1, 2] }],
  ['BatchNormalization', { inputs: [5, 5], outputs: [1, 5] }],
  ['LayerNormalization', { inputs: [2, 3], outputs: [1, 3] }],
  ['InstanceNormalization', { inputs: [3, 3], outputs: [1, 1] }],
  ['Trilu', { inputs: [1, 2], outputs: [1, 1] }],
  ['Reshape', { inputs: [1, 2], outputs: [1, 1] }],
  ['Squeeze', { inputs: [1, 2], outputs: [1, 1] }],
  ['Unsqueeze', { inputs: [1, 2], outputs: [1, 1] }],
  ['Split', { inputs: [1, 2], outputs: [1, Infinity] }],
  ['Slice', { inputs: [1, 5], outputs: [1, 1] }],
  ['Pad', { inputs: [1, 4], outputs: [1, 1] }],
  ['Tile', { inputs: [2, 3], outputs: [1, 1] }],
  ['Resize', { inputs: [1, 4], outputs: [1, 1] }],
]);
