import type * as fc from 'fast-check';
import type * as tfjs from '@tensorflow/tfjs-core';
import type { Attrs, AttrValue, DType, Tensor, TensorType } from '../../src/ir/index.js';

/** ONNX attribute types an operator declares; export encodes attributes by this schema. */
export type AttrKind = 'int' | 'float' | 'string' | 'ints' | 'floats' | 'strings';

export interface AttrSchema {
  readonly type: AttrKind;
  /** Filled in by the interpreter when a node omits the attribute. */
  readonly default?: AttrValue;
  readonly required?: boolean;
}

/**
 * One input of an operator instance, in ONNX input order.
 * - `anchor`: the existing tensor the generator chose to extend (forward insertion only);
 * - `tensor`: any tensor of that type: the generator reuses an existing one or adds a placeholder
 *   (a graph input or a weight); `fresh` forces a new placeholder (e.g. a divisor whose values the input
 *   search must control directly);
 * - `const`: a constant initializer (a Reshape target, Gather indices, Slice starts): part of the graph's meaning;
 * - `absent`: an omitted optional input (written as '').
 */
export type Operand =
  | { readonly kind: 'anchor' }
  | { readonly kind: 'tensor'; readonly type: TensorType; readonly fresh?: boolean }
  | { readonly kind: 'const'; readonly dtype: DType; readonly shape: readonly number[]; readonly data: readonly number[] }
  | { readonly kind: 'absent' };

/** What an operator's arbitrary builds: its inputs and its attributes. */
export interface Instance {
  readonly inputs: readonly Operand[];
  readonly attrs: Attrs;
  /** Output count, for operators whose inputs and attributes do not fix it (Split-13 without sizes). */
  readonly outputs?: number;
}

/** Limits and choices the generator passes down to every operator. */
export interface BuildContext {
  readonly opset: number;
  /** Largest element count of any tensor, inputs and outputs alike. */
  readonly maxElems: number;
  /** Element types the user allows in the graph. */
  readonly dtypes: readonly DType[];
}

/** An input as shape inference sees it: its type and, for constants, its values. */
export interface InferInput extends TensorType {
  readonly data?: readonly number[];
}

/**
 * A per-element constraint on an input that keeps the operator's result finite and defined
 * (Log: x > 0; Div: |y| >= 1e-3; Asin: |x| <= 1). The input search turns these into losses.
 */
export interface DomainConstraint {
  readonly input: number;
  readonly rel: 'gt' | 'ge' | 'lt' | 'le' | 'abs-le' | 'abs-ge';
  readonly value: number;
}

/** Whether value `v` satisfies constraint `c` (its input index aside). */
export function holds(c: Pick<DomainConstraint, 'rel' | 'value'>, v: number): boolean {
  switch (c.rel) {
    case 'gt':
      return v > c.value;
    case 'ge':
      return v >= c.value;
    case 'lt':
      return v < c.value;
    case 'le':
      return v <= c.value;
    case 'abs-le':
      return Math.abs(v) <= c.value;
    case 'abs-ge':
      return Math.abs(v) >= c.value;
  }
}

/** What a tfjs lowering receives besides the input tensors. */
export interface TfjsContext {
  /** The ONNX types of the node's inputs (undefined for omitted optional inputs). */
  readonly inputTypes: readonly (TensorType | undefined)[];
  /** The ONNX types of the node's outputs. */
  readonly outputTypes: readonly TensorType[];
  /** Values of constant inputs (a Reshape target, Slice starts), which tfjs ops take as plain arrays. */
  readonly constants: readonly (readonly number[] | undefined)[];
  readonly opset: number;
}

/**
 * Lowers one ONNX node to tfjs ops. tfjs has float32, int32 and bool: float64 graphs never reach a lowering and
 * int64 tensors arrive as int32. Attributes arrive with defaults filled in. Run inside tf.tidy: intermediates
 * need no disposal.
 */
export interface TfjsLowering {
  lower(tf: typeof tfjs, inputs: readonly (tfjs.Tensor | undefined)[], attrs: Attrs, ctx: TfjsContext): tfjs.Tensor[];
  /**
   * Why this particular node cannot be lowered (an attribute form tfjs lacks, e.g. MaxPool with dilations);
   * undefined when it can. The tfjs backends report such graphs as unsupported instead of running them.
   */
  supports?(attrs: Attrs, ctx: TfjsContext): string | undefined;
}

/** Bounds that every element of a tensor lies within (infinite when unknown). */
export type Interval = readonly [number, number];
export const UNBOUNDED: Interval = [-Infinity, Infinity];

/**
 * `range` for operators whose outputs only move, repeat or select input values (Reshape, Transpose, Gather, Concat,
 * MaxPool, ReduceMax): every output lies within the union of the given data inputs' bounds, widened by `extra`
 * (a Pad constant).
 */
export function passRange(dataInputs: readonly number[] = [0], extra?: (attrs: Attrs, inputs: readonly Interval[]) => number | undefined) {
  return (inputs: readonly Interval[], attrs: Attrs): Interval[] => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const i of dataInputs) {
      const r = inputs[i];
      if (!r) continue;
      lo = Math.min(lo, r[0]);
      hi = Math.max(hi, r[1]);
    }
    const e = extra?.(attrs, inputs);
    if (e !== undefined) {
      lo = Math.min(lo, e);
      hi = Math.max(hi, e);
    }
    const r: Interval = lo <= hi ? [lo, hi] : UNBOUNDED;
    // one bound per output; operators with several outputs (Split) give each the same
    return Array.from({ length: 8 }, () => r);
  };
}

/** Everything about one ONNX operator: types, attributes, shape inference, domain and reference kernel. */
export interface OpSpec {
  /** ONNX op_type, verbatim. */
  readonly onnx: string;
  /** Opset version of the form this spec generates (the operator's latest change at or below the default opset). */
  readonly since: number;
  /** Element types of the main input (the type variable T of the ONNX schema) that the generator uses. */
  readonly dtypes: readonly DType[];
  /** Smallest and largest rank of the main input the generator uses. */
  readonly ranks: readonly [number, number];
  readonly attributes: Readonly<Record<string, AttrSchema>>;
  /** Optional extra test on a candidate anchor beyond dtype and rank (e.g. Conv needs spatial dims). */
  accepts?(anchor: TensorType, ctx: BuildContext): boolean;
  /** Forward insertion: build inputs and attributes around an existing tensor, constructively. */
  build(anchor: TensorType, ctx: BuildContext): fc.Arbitrary<Instance>;
  /** Backward insertion: inputs and attributes whose first output has exactly `out`'s type. */
  backward?(out: TensorType, ctx: BuildContext): fc.Arbitrary<Instance> | undefined;
  /** Output types, or a message saying why the inputs/attributes are invalid. */
  /** `nOutputs`: the node's output count, which only operators like Split-13 without sizes need. */
  infer(inputs: readonly (InferInput | undefined)[], attrs: Attrs, opset: number, nOutputs?: number): TensorType[] | string;
  /** Per-element input constraints that keep the result finite; absent when every finite input is fine. */
  domain?(inputs: readonly TensorType[], attrs: Attrs): DomainConstraint[];
  /** Float64 reference kernel following the ONNX specification; attributes arrive with defaults filled in. */
  reference(inputs: readonly (Tensor | undefined)[], attrs: Attrs, opset: number, nOutputs?: number): Tensor[];
  /**
   * How tfjs computes it, or why it cannot (a reason string: the tfjs backends then report graphs holding this
   * operator as unsupported). Optional only while lowerings are being written for every family.
   */
  readonly tfjs?: TfjsLowering | { readonly unsupported: string };
  /**
   * The input search replaces this operator's gradient with a straight-through one (the upstream gradient passed
   * to every input): its true gradient is zero or missing exactly where the search must move values
   * (Relu and Clip below the threshold, Floor, Ceil, Round, Sign; Max/Min have no gradient in tfjs). A function
   * gives the operator's direction under its attributes instead of +1 (HardSigmoid with a negative alpha falls as
   * its input rises; passing the gradient unchanged would push the wrong way), and 0 where the attributes leave the
   * true gradient its direction (an Elu with alpha 0 is a Relu and needs the proxy; with another alpha it does not).
   */
  readonly proxyGrad?: boolean | ((attrs: Attrs) => number);
  /**
   * The operator's derivative for the input search, given its input x and output y, for operators that saturate
   * (Tanh, Sigmoid): tfjs computes their gradient from the output, exactly 0 in float32 past |x| of about 9 (Tanh)
   * or 17 (Sigmoid), so a search that must bring a saturated value back (Floor(Tanh(x)) with Tanh at 1.0 in float32
   * and just below 1 in float64) would get no direction. The search floors the slope at a small positive value
   * (SATURATED_SLOPE). Erf keeps tfjs's gradient, computed from x and tiny rather than 0 up to |x| of about 10:
   * flooring it lost four searches on the tuning sets, each with an Erf upstream of the failing node, and won none.
   */
  readonly slope?: (tf: typeof tfjs, x: tfjs.Tensor, y: tfjs.Tensor) => tfjs.Tensor;
  /**
   * Every output element is a copy of an input element or a value the operator writes itself (Reshape, Slice, Max,
   * Relu, Trilu's zeros): nothing is rounded, so a backend gets the outputs exactly from the inputs it has. The
   * stability check perturbs only what operators compute (reference/interpreter.ts), so Greater(Squeeze(x), x)
   * stays false.
   */
  readonly exact?: boolean;
  /**
   * Output 0 holds, for each lane along `axis` of input 0, the index of one of the lane's elements (ArgMax, ArgMin):
   * an index whose element equals the chosen one within tolerance is as right, since rounding a backend may do
   * (within tolerance) decides between near-ties. The oracle judges such outputs tie-tolerantly (oracles/ties.ts).
   */
  readonly picksIndex?: (attrs: Attrs, rank: number) => number;
  /**
   * The float type the node computes in when the ONNX definition narrows it below its inputs' (LayerNormalization's
   * stash_type=1 computes float64 inputs in float32); comparisons then use that type's tolerance downstream.
   */
  precision?(attrs: Attrs): DType | undefined;
  /**
   * Bounds of the outputs' elements given bounds of the inputs' (Sigmoid gives (0, 1) whatever comes in). The
   * generator uses them to avoid graphs no input can make valid (Acosh, which needs x >= 1, on a Sigmoid).
   * Absent: unbounded.
   */
  range?(inputs: readonly Interval[], attrs: Attrs): Interval[];
}

/** The spec marked `exact` (for operators built by shared constructors). */
export function exactOp(spec: OpSpec): OpSpec {
  return defineOp({ ...spec, exact: true });
}

/** Declares an operator; validates the declaration once so a bad spec fails at load, naming the operator. */
export function defineOp(spec: OpSpec): OpSpec {
  if (!/^[A-Z][A-Za-z0-9]*$/.test(spec.onnx)) throw new Error(`defineOp: bad ONNX op name '${spec.onnx}'`);
  if (spec.dtypes.length === 0) throw new Error(`defineOp(${spec.onnx}): dtypes is empty`);
  if (spec.ranks[0] > spec.ranks[1]) throw new Error(`defineOp(${spec.onnx}): ranks [${spec.ranks.join(',')}] is empty`);
  return Object.freeze(spec);
}

// Attribute accessors for kernels and inference: attributes arrive with defaults filled in.
export function attrInt(attrs: Attrs, name: string): number {
  const v = attrs[name];
  if (typeof v !== 'number') throw new Error(`attribute '${name}' must be an int, got ${JSON.stringify(v)}`);
  return v;
}
export function attrFloat(attrs: Attrs, name: string): number {
  return attrInt(attrs, name);
}
export function attrInts(attrs: Attrs, name: string): readonly number[] | undefined {
  const v = attrs[name];
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw new Error(`attribute '${name}' must be a list of ints, got ${JSON.stringify(v)}`);
  return v as readonly number[];
}
export function attrString(attrs: Attrs, name: string): string {
  const v = attrs[name];
  if (typeof v !== 'string') throw new Error(`attribute '${name}' must be a string, got ${JSON.stringify(v)}`);
  return v;
}
