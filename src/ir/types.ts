/**
 * The graph IR: typed tensors with concrete shapes, ONNX-form nodes, inputs, initializers and outputs.
 *
 * Nodes keep the ONNX form of their operator at the graph's opset (attributes and constant inputs exactly as
 * ONNX writes them), so export is a direct mapping and imported models use the same representation.
 */

/** Element types the generator and interpreter know. */
export const DTYPES = ['float32', 'float64', 'int32', 'int64', 'bool'] as const;
export type DType = (typeof DTYPES)[number];

export const FLOAT_DTYPES: readonly DType[] = ['float32', 'float64'];
export const INT_DTYPES: readonly DType[] = ['int32', 'int64'];
export const NUMERIC_DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'int64'];

export function isFloat(d: DType): boolean {
  return d === 'float32' || d === 'float64';
}
export function isInt(d: DType): boolean {
  return d === 'int32' || d === 'int64';
}

/** A tensor type: element type plus concrete shape. */
export interface TensorType {
  readonly dtype: DType;
  readonly shape: readonly number[];
}

/** An attribute value as ONNX stores it; which ONNX attribute type it encodes to comes from the op spec. */
export type AttrValue = number | string | readonly number[] | readonly string[];
export type Attrs = Readonly<Record<string, AttrValue>>;

export interface ValueInfo extends TensorType {
  readonly name: string;
}

/**
 * An initializer: `weight` values are free (the input search may choose them), `constant` values are
 * part of the graph's meaning (a Reshape target, Gather indices) and never change.
 */
export interface Initializer extends ValueInfo {
  readonly kind: 'weight' | 'constant';
  /** Element values in row-major order; bool as 0/1. */
  readonly data: readonly number[];
  /** int64 only, when some value is beyond what float64 holds: every value exactly, as decimal strings (JSON-safe). */
  readonly exact?: readonly string[];
}

export interface Node {
  readonly op: string;
  readonly name: string;
  /** Tensor names; '' marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Attrs;
}

export interface Graph {
  /** Default-domain opset the nodes are written for. */
  readonly opset: number;
  readonly inputs: readonly ValueInfo[];
  readonly initializers: readonly Initializer[];
  readonly nodes: readonly Node[];
  readonly outputs: readonly ValueInfo[];
  /** Types of intermediate tensors (everything produced by a node that is not a graph output). */
  readonly valueInfo: readonly ValueInfo[];
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sameType(a: TensorType, b: TensorType): boolean {
  return a.dtype === b.dtype && sameShape(a.shape, b.shape);
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function formatType(t: TensorType): string {
  return `${t.dtype}[${t.shape.join(',')}]`;
}
