/**
 * Issue 19, "an importer that lets nothing in": hostile models given to `onnxsmith run` are refused with exit 2 and
 * one escaped line naming the problem, before any backend reads them.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { onnxsmith } from '../helpers/cli.js';

const { onnx } = onnxProto;
const AT = onnx.AttributeProto.AttributeType;
const EXTERNAL = onnx.TensorProto.DataLocation.EXTERNAL;
type IModel = onnxProto.onnx.IModelProto;
type IGraph = onnxProto.onnx.IGraphProto;
type ITensor = onnxProto.onnx.ITensorProto;

const root = mkdtempSync(join(tmpdir(), 'onnxsmith-hostile-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// a secret outside every model folder: 24 float32 values (1234.5 ...) that would show in outputs if read
const CANARY_VALUES = Array.from({ length: 24 }, (_, i) => 1234.5 + i);
const canary = join(root, 'secret', 'canary.bin');
mkdirSync(join(root, 'secret'));
writeFileSync(canary, new Uint8Array(Float32Array.from(CANARY_VALUES).buffer));

function vi(name: string, dims: (number | string)[] = [2, 3], elemType = 1): onnxProto.onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}

function model(graph: IGraph, opset = 17, extra: Partial<IModel> = {}): IModel {
  return { irVersion: 8, opsetImport: [{ domain: '', version: opset }], graph: { name: 'g', ...graph }, ...extra };
}

/** y = x + w, a graph every backend runs. */
function addGraph(extra: Partial<IGraph> = {}): IGraph {
  return {
    node: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }],
    input: [vi('x')],
    output: [vi('y')],
    initializer: [{ name: 'w', dataType: 1, dims: [2, 3], floatData: [1, 2, 3, 4, 5, 6] }],
    ...extra,
  };
}

let dirs = 0;
/** Writes the model into a fresh folder two levels below `root`, with `link.bin` there pointing at the canary. */
function write(m: IModel | Uint8Array): string {
  const dir = join(root, `m${dirs++}`, 'deep');
  mkdirSync(dir, { recursive: true });
  symlinkSync(canary, join(dir, 'link.bin'));
  writeFileSync(join(dir, 'inside.bin'), new Uint8Array(24 * 4));
  writeFileSync(join(dir, 'model.onnx'), m instanceof Uint8Array ? m : onnx.ModelProto.encode(m).finish());
  return join(dir, 'model.onnx');
}

function ext(location: string, dims = [2, 3], dataType = 1): ITensor {
  return { dataType, dims, dataLocation: EXTERNAL, externalData: [{ key: 'location', value: location }] };
}

/** One line on stderr, no stack trace, no raw control character, nothing on stdout. */
function expectRefused(r: { code: number; stdout: string; stderr: string }, message: RegExp): void {
  expect(r.code, r.stderr + r.stdout).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).toMatch(/^onnxsmith: [^\n]*\n$/);
  expect(r.stderr.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f]/);
  expect(r.stdout).toBe('');
}

function expectNoCanary(text: string): void {
  for (const v of CANARY_VALUES.slice(0, 6)) expect(text).not.toContain(String(v));
}

describe('external data outside the model folder (defect 2)', () => {
  const climb = '../'.repeat(12) + canary.slice(1);
  const sparse = (values: ITensor, indices: ITensor): onnxProto.onnx.ISparseTensorProto => ({ dims: [2, 3], values, indices });
  const linear = (): ITensor => ({ dataType: 7, dims: [6], int64Data: [0, 1, 2, 3, 4, 5] });
  const constant = (attr: onnxProto.onnx.IAttributeProto): IGraph => ({
    node: [{ opType: 'Constant', output: ['c'], attribute: [attr] }, { opType: 'Add', input: ['x', 'c'], output: ['y'] }],
    input: [vi('x')],
    output: [vi('y')],
  });
  const withSubgraph = (inner: IGraph, graphs = false): IGraph => ({
    node: [
      { opType: 'Greater', input: ['x', 'x'], output: ['b'] },
      {
        opType: 'If',
        input: ['b'],
        output: ['y'],
        attribute: graphs
          ? [{ name: 'then_branch', type: AT.GRAPHS, graphs: [{ name: 's', ...inner }] }]
          : [{ name: 'then_branch', type: AT.GRAPH, g: { name: 's', ...inner } }, { name: 'else_branch', type: AT.GRAPH, g: { name: 'e', ...inner } }],
      },
    ],
    input: [vi('x')],
    output: [vi('y')],
  });
  const innerWith = (t: ITensor): IGraph => ({ node: [{ opType: 'Identity', input: ['k'], output: ['o'] }], initializer: [{ ...t, name: 'k' }], output: [vi('o')] });

  const places: [string, (loc: string) => IModel, RegExp][] = [
    ['a sparse initializer (values)', (loc) => model(addGraph({ initializer: [], sparseInitializer: [sparse({ ...ext(loc, [6]), name: 'w' }, linear())] })), /sparse initializer 'w' values/],
    ['a sparse initializer (indices)', (loc) => model(addGraph({ initializer: [], sparseInitializer: [sparse({ name: 'w', dataType: 1, dims: [6], floatData: [1, 2, 3, 4, 5, 6] }, ext(loc, [6], 7))] })), /sparse initializer 'w' indices/],
    ['a dense initializer', (loc) => model(addGraph({ initializer: [{ ...ext(loc), name: 'w' }] })), /initializer 'w'/],
    ['a TENSOR attribute', (loc) => model(constant({ name: 'value', type: AT.TENSOR, t: ext(loc) })), /node 0 \(Constant\) attribute 'value'/],
    ['a TENSORS attribute', (loc) => model(constant({ name: 'value', type: AT.TENSORS, tensors: [ext(loc)] })), /node 0 \(Constant\) attribute 'value' tensor 0/],
    ['a SPARSE_TENSOR attribute', (loc) => model(constant({ name: 'sparse_value', type: AT.SPARSE_TENSOR, sparseTensor: sparse(ext(loc, [6]), linear()) })), /attribute 'sparse_value' values/],
    ['a SPARSE_TENSORS attribute', (loc) => model(constant({ name: 'sparse_value', type: AT.SPARSE_TENSORS, sparseTensors: [sparse({ dataType: 1, dims: [6], floatData: [1, 2, 3, 4, 5, 6] }, ext(loc, [6], 7))] })), /sparse tensor 0 indices/],
    ['a GRAPH attribute (If branch)', (loc) => model(withSubgraph(innerWith(ext(loc)))), /node 1 \(If\) attribute 'then_branch' subgraph: initializer 'k'/],
    ['a GRAPHS attribute', (loc) => model(withSubgraph(innerWith(ext(loc)), true)), /attribute 'then_branch' subgraph 0: initializer 'k'/],
    ['a subgraph of a subgraph', (loc) => model(withSubgraph(withSubgraph(innerWith(ext(loc))))), /subgraph: node 1 \(If\) attribute 'then_branch' subgraph: initializer 'k'/],
    [
      'a local function',
      (loc) => model(addGraph(), 17, { functions: [{ name: 'F', domain: 'local', node: [{ opType: 'Constant', output: ['c'], attribute: [{ name: 'value', type: AT.TENSOR, t: ext(loc) }] }], output: ['c'] }] }),
      /function 'F': node 0 \(Constant\) attribute 'value'/,
    ],
    ['a training graph', (loc) => model(addGraph(), 17, { trainingInfo: [{ initialization: innerWith(ext(loc)) }] }), /training info 0 initialization: initializer 'k'/],
  ];
  const locations: [string, () => string, RegExp][] = [
    ['an absolute path', () => canary, /an absolute path/],
    ["'..'", () => climb, /climbs out with '\.\.'/],
    ['a symlink inside the folder resolving outside', () => 'link.bin', /a symlink resolving to .*canary\.bin/],
  ];

  it('refuses the reported case: sparse values at ../../../etc/passwd on ort-node-cpu@1.12.1, which reads it', () => {
    const path = write(model(addGraph({ initializer: [], sparseInitializer: [sparse({ ...ext('../../../etc/passwd', [6]), name: 'w' }, linear())] })));
    const r = onnxsmith(['run', path, '--backends', 'reference,ort-node-cpu@1.12.1', '--json']);
    expectRefused(r, /sparse initializer 'w' values: .*location '\.\.\/\.\.\/\.\.\/etc\/passwd' is outside the model's folder/);
  });

  for (const [place, make, names] of places) {
    for (const [how, loc, why] of locations) {
      it(`refuses external data in ${place} through ${how}, naming tensor and location`, () => {
        const l = loc();
        const r = onnxsmith(['run', write(make(l)), '--backends', 'reference,ort-node-cpu@1.12.1', '--json']);
        expectRefused(r, names);
        expect(r.stderr).toContain(`location '${l}' is outside the model's folder`);
        expect(r.stderr).toMatch(why);
        expectNoCanary(r.stdout + r.stderr);
      });
    }
  }

  it('refuses an external-data field the tensor does not mark EXTERNAL (a backend may read it anyway)', () => {
    const t: ITensor = { name: 'w', dataType: 1, dims: [2, 3], floatData: [1, 2, 3, 4, 5, 6], externalData: [{ key: 'location', value: canary }] };
    expectRefused(onnxsmith(['run', write(model(addGraph({ initializer: [t] }))), '--backends', 'reference']), /initializer 'w': .*location '.*canary\.bin' is outside/);
  });

  it('refuses a FunctionProto attribute default (a field newer than onnx-proto) holding external data', () => {
    // FunctionProto.attribute_proto is field 11; onnx-proto drops it on decode, so it is appended on the wire here
    const attr = onnx.AttributeProto.encode({ name: 'v', type: AT.TENSOR, t: ext(canary) }).finish();
    const fn = onnx.FunctionProto.encode({ name: 'F', domain: 'local', output: ['c'] }).finish();
    const fnWith = new Uint8Array([...fn, 0x5a, ...varint(attr.length), ...attr]);
    const base = onnx.ModelProto.encode(model(addGraph())).finish();
    const bytes = new Uint8Array([...base, 0xca, 0x01, ...varint(fnWith.length), ...fnWith]);
    expectRefused(onnxsmith(['run', write(bytes), '--backends', 'reference']), /function 0 attribute default 'v': .*canary\.bin' is outside/);
  });

  it('lets a location inside the folder through this check (the importer then refuses external data as unsupported)', () => {
    const r = onnxsmith(['run', write(model(addGraph({ initializer: [{ ...ext('inside.bin'), name: 'w' }] }))), '--backends', 'reference']);
    expectRefused(r, /initializer 'w': external tensor data is not supported \(onnxsmith never reads/);
    expect(r.stderr).not.toMatch(/outside/);
  });
});

describe('case folders are checked like models (a graph in case.json does not vouch for model.onnx)', () => {
  it('replay and reduce refuse a model.onnx whose external data leaves the folder', () => {
    const path = write(model(addGraph({ initializer: [{ ...ext(canary), name: 'w' }] })));
    const dir = join(path, '..');
    const graph = {
      inputs: [{ name: 'x', dtype: 'float32', shape: [2, 3] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [2, 3] }],
      initializers: [{ name: 'w', dtype: 'float32', shape: [2, 3], kind: 'weight', data: [1, 2, 3, 4, 5, 6] }],
      nodes: [{ op: 'Add', name: 'n0', inputs: ['x', 'w'], outputs: ['y'], attrs: {} }],
      valueInfo: [],
    };
    writeFileSync(join(dir, 'case.json'), JSON.stringify({ culprit: 'ort-node-cpu@1.12.1', symptom: 'wrong-value', backends: [{ name: 'ort-node-cpu@1.12.1' }], graph }));
    for (const verb of ['replay', 'reduce']) {
      const r = onnxsmith([verb, dir]);
      expect(r.code, r.stderr + r.stdout).toBe(2);
      expect(r.stderr).toMatch(/initializer 'w': .*canary\.bin' is outside the model's folder/);
      expectNoCanary(r.stdout + r.stderr);
    }
  });
});

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

describe('huge dimensions (defect 9)', () => {
  it('refuses a 1e9 dimension at once, naming the input, its shape and the limit', () => {
    const t0 = Date.now();
    const r = onnxsmith(['run', write(model(addGraph({ input: [vi('x', [1e9])], output: [vi('y', [1e9])], initializer: [{ name: 'w', dataType: 1, dims: [1], floatData: [1] }] }))), '--backends', 'reference,ort-node-cpu']);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expectRefused(r, /input 'x' has shape \[1000000000\] \(1e9 elements\), over the limit of 1e8 elements per tensor \(run --max-elems N\)/);
  });

  it('refuses 1e9 x 1e9 with exit 2, not a harness-bug stack trace', () => {
    const r = onnxsmith(['run', write(model(addGraph({ input: [vi('x', [1e9, 1e9])], output: [vi('y', [1e9, 1e9])], initializer: [{ name: 'w', dataType: 1, dims: [1], floatData: [1] }] }))), '--backends', 'reference']);
    expectRefused(r, /input 'x' has shape \[1000000000,1000000000\] \(1e18 elements\)/);
  });

  it('refuses an initializer, a sparse initializer and an inferred intermediate over the limit', () => {
    const bigInit = model(addGraph({ initializer: [{ name: 'w', dataType: 1, dims: [1e5, 1e5] }] }));
    expectRefused(onnxsmith(['run', write(bigInit), '--backends', 'reference']), /initializer 'w' has shape \[100000,100000\] \(1e10 elements\)/);
    const sparseHuge = model(addGraph({ initializer: [], sparseInitializer: [{ dims: [1e9, 1e9], values: { name: 'w', dataType: 1, dims: [1], floatData: [1] }, indices: { dataType: 7, dims: [1], int64Data: [0] } }] }));
    expectRefused(onnxsmith(['run', write(sparseHuge), '--backends', 'reference']), /sparse initializer 'w' has shape \[1000000000,1000000000\]/);
    const expand = model({
      node: [{ opType: 'Expand', input: ['x', 's'], output: ['y'] }],
      input: [vi('x', [1])],
      output: [vi('y', [1e9])],
      initializer: [{ name: 's', dataType: 7, dims: [1], int64Data: [1e9] }],
    });
    expectRefused(onnxsmith(['run', write(expand), '--backends', 'reference,ort-node-cpu']), /tensor 'y' \(output 0 of Expand 'n0'\) has shape \[1000000000\]/);
  });

  it('takes the limit from run --max-elems', () => {
    const path = write(model(addGraph()));
    expect(onnxsmith(['run', path, '--backends', 'reference,ort-node-cpu']).code).toBe(0);
    expectRefused(onnxsmith(['run', path, '--backends', 'reference', '--max-elems', '5']), /initializer 'w' has shape \[2,3\] \(6 elements\), over the limit of 5 elements per tensor/);
    // each tensor fits, all of them together (6 + 6 + 6) do not
    expectRefused(onnxsmith(['run', path, '--backends', 'reference', '--max-elems', '15']), /hold more than 15 elements together/);
    expectRefused(onnxsmith(['run', path, '--max-elems', '0']), /--max-elems must be an integer from 1/);
  });
});

describe('malformed graphs are refused on import, not filed against every backend (defect 10)', () => {
  const add = (input: string[], output: string[], name?: string): onnxProto.onnx.INodeProto => ({ opType: 'Add', input, output, ...(name ? { name } : {}) });
  const cases: [string, IModel, RegExp][] = [
    ['a cycle', model({ node: [add(['x', 'b'], ['a']), add(['a', 'x'], ['b']), add(['a', 'b'], ['y'])], input: [vi('x')], output: [vi('y')] }), /node 0 \(Add\) reads 'b' from node 1 \(Add\), which depends on it: the graph has a cycle/],
    ['a self-loop', model({ node: [add(['x', 'y'], ['y'], 'loop')], input: [vi('x')], output: [vi('y')] }), /node 0 \(Add 'loop'\) reads its own output 'y' \(a self-loop\)/],
    ['an undefined tensor', model({ node: [add(['x', 'ghost'], ['y'])], input: [vi('x')], output: [vi('y')] }), /node 0 \(Add\) reads 'ghost', which no node, graph input or initializer produces/],
    ['nodes out of topological order', model({ node: [add(['a', 'x'], ['y']), add(['x', 'x'], ['a'])], input: [vi('x')], output: [vi('y')] }), /node 0 \(Add\) reads 'a' before node 1 \(Add\) produces it/],
    ['too few inputs (the reference printed a raw TypeError)', model({ node: [add(['x'], ['y'])], input: [vi('x')], output: [vi('y')] }), /node 0 \(Add\) has 1 inputs; Add takes 2/],
    ['too many inputs', model({ node: [add(['x', 'x', 'x'], ['y'])], input: [vi('x')], output: [vi('y')] }), /node 0 \(Add\) has 3 inputs; Add takes 2/],
    ['too many outputs', model({ node: [{ opType: 'Relu', input: ['x'], output: ['y', 'z'] }], input: [vi('x')], output: [vi('y')] }), /node 0 \(Relu\) has 2 outputs; Relu takes 1/],
    ['an empty required input', model({ node: [{ opType: 'Gemm', input: ['', 'x'], output: ['y'] }], input: [vi('x')], output: [vi('y')] }), /node 0 \(Gemm\): required input 0 is empty/],
    ['duplicate output tensor names', model({ node: [add(['x', 'x'], ['y']), add(['x', 'x'], ['y'])], input: [vi('x')], output: [vi('y')] }), /node 1 \(Add\): output 'y' is already produced by node 0 \(Add\)/],
    ['a node output named like a graph input', model({ node: [add(['x', 'x'], ['x'])], input: [vi('x')], output: [vi('x')] }), /node 0 \(Add\): output 'x' is already produced by a graph input/],
    ['duplicate graph input names', model({ node: [add(['x', 'x'], ['y'])], input: [vi('x'), vi('x')], output: [vi('y')] }), /graph input 'x' is listed twice/],
    ['an empty graph input name', model({ node: [add(['x', 'x'], ['y'])], input: [vi('x'), vi('')], output: [vi('y')] }), /graph input 1 has an empty name/],
    ['an empty node output name that is used', model({ node: [add(['x', 'x'], ['']), add(['', 'x'], ['y'])], input: [vi('x')], output: [vi('y')] }), /node 0 \(Add\): required output 0 has an empty name/],
    ['an empty graph output name', model({ node: [add(['x', 'x'], ['y'])], input: [vi('x')], output: [vi('')] }), /graph output 0 has an empty name/],
    ['a graph output nothing produces', model({ node: [add(['x', 'x'], ['y'])], input: [vi('x')], output: [vi('z')] }), /graph output 'z' is produced by no node, graph input or initializer/],
    ['opset 99', model(addGraph(), 99), /model imports opset 99 of the default domain; onnxsmith knows opsets 1 to 23/],
    ['opset 0', model(addGraph(), 0), /model imports opset 0 of the default domain/],
  ];
  it.each(cases)('refuses %s with exit 2, naming node, operator and tensor, before any backend runs', (_what, m, message) => {
    const r = onnxsmith(['run', write(m), '--backends', 'reference,ort-node-cpu', '--json']);
    expectRefused(r, message);
  });

  it('still runs a valid graph that leaves an optional output unnamed', () => {
    const m = model({
      node: [{ opType: 'MaxPool', input: ['x'], output: ['y', ''], attribute: [{ name: 'kernel_shape', type: AT.INTS, ints: [1, 1] }] }],
      input: [vi('x', [1, 1, 2, 2])],
      output: [vi('y', [1, 1, 2, 2])],
    });
    const r = onnxsmith(['run', write(m), '--backends', 'reference,ort-node-cpu']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
  });
});

describe('control characters in names are escaped wherever they are printed (defect 19, part)', () => {
  const evil = 'x\n\u001b[31mEVIL\u001b[0m';
  it('escapes a name in an error message, which stays one line', () => {
    const r = onnxsmith(['run', write(model({ node: [{ opType: 'Add', input: ['x', evil], output: ['y'], name: `n\r${evil}` }], input: [vi('x')], output: [vi('y')] })), '--backends', 'reference']);
    expectRefused(r, /node 0 \(Add 'n\\rx\\n\\x1b\[31mEVIL\\x1b\[0m'\) reads 'x\\n\\x1b\[31mEVIL\\x1b\[0m'/);
  });

  it("escapes names in run's text output", () => {
    const m = model({ node: [{ opType: 'Relu', input: [evil], output: [`y\u001b[2J\u202e`] }], input: [vi(evil)], output: [vi(`y\u001b[2J\u202e`)] });
    const r = onnxsmith(['run', write(m), '--backends', 'reference,ort-node-cpu']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('output y\\x1b[2J\\u202e (float32[2,3])');
    expect(r.stdout.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f\u202e]/);
  });

  it('escapes an unknown operator name in the note and the refusal', () => {
    const r = onnxsmith(['run', write(model({ node: [{ opType: 'Bad\u001b[1mOp', input: ['x'], output: ['y'] }], input: [vi('x')], output: [vi('y')] })), '--backends', 'reference,ort-node-cpu']);
    expectRefused(r, /operator Bad\\x1b\[1mOp, unknown to onnxsmith/);
  });
});
