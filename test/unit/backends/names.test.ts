import { describe, expect, it } from 'vitest';
import { createBackend } from '../../../src/backends/index.js';
import {
  absoluteExternal,
  backendBase,
  BUILTIN_BACKENDS,
  BUILTINS,
  displayName,
  isExternalProgram,
  isWellFormedName,
  kernelFamily,
  ORT_NODE_FLAVOURS,
  parseBackendName,
  pinnedVersion,
  readBackendName,
  runtimeOf,
  TFJS_FLAVOURS,
  UnknownBackend,
  withVersion,
} from '../../../src/backends/names.js';
import { defineBackend } from '../../../src/backends/types.js';
import { checkBackendNames, UsageError } from '../../../src/cli/errors.js';
import { backendBase as gateBase } from '../../../src/gate/rules.js';
import { describeBackend } from '../../../src/triage/report-md.js';
import { reproRequirement } from '../../../src/triage/repro.js';

const KNOWN = 'known: reference, ort-node-cpu, ort-node-cpu-noopt, ort-node-webgpu, ort-node-cuda, ort-web-wasm, tfjs-cpu, tfjs-wasm, tfjs-node, command:<path>, module:<path>';

function refusal(spec: string): string {
  try {
    parseBackendName(spec);
  } catch (e) {
    expect(e).toBeInstanceOf(UnknownBackend);
    return (e as Error).message;
  }
  throw new Error(`'${spec}' was accepted`);
}

describe('the backend name grammar', () => {
  it('reads every form into its parts', () => {
    expect(parseBackendName('reference')).toMatchObject({ kind: 'builtin', base: 'reference', builtin: { runtime: 'reference' } });
    expect(parseBackendName('ort-node-cpu')).toMatchObject({ kind: 'builtin', base: 'ort-node-cpu', builtin: { runtime: 'onnxruntime-node' } });
    expect(parseBackendName('ort-node-cpu')).not.toHaveProperty('version');
    expect(parseBackendName('ort-node-cpu-noopt@1.12.1')).toMatchObject({ kind: 'builtin', base: 'ort-node-cpu-noopt', version: '1.12.1' });
    expect(parseBackendName('ort-web-wasm@1.30.0')).toMatchObject({ kind: 'builtin', base: 'ort-web-wasm', version: '1.30.0', builtin: { runtime: 'onnxruntime-web' } });
    expect(parseBackendName('ort-node-webgpu@1.31.0-dev.20260101')).toMatchObject({ base: 'ort-node-webgpu', version: '1.31.0-dev.20260101' });
    expect(parseBackendName('tfjs-wasm')).toMatchObject({ kind: 'builtin', base: 'tfjs-wasm', builtin: { runtime: 'tfjs' } });
    // a path may hold '@' (a scoped package folder, a versioned install dir): it is never a version
    expect(parseBackendName('command:/opt/tvm@0.9.0/run')).toEqual({ kind: 'command', spec: 'command:/opt/tvm@0.9.0/run', base: 'command:/opt/tvm@0.9.0/run', path: '/opt/tvm@0.9.0/run' });
    expect(parseBackendName('module:./b@2.mjs')).toEqual({ kind: 'module', spec: 'module:./b@2.mjs', base: 'module:./b@2.mjs', path: './b@2.mjs' });
  });

  it('refuses bad names with a message saying what is wrong and what is known', () => {
    expect(refusal('command:')).toBe(`'command:' needs a path, e.g. command:./my-compiler.sh`);
    expect(refusal('module:')).toBe(`'module:' needs a path, e.g. module:./my-backend.mjs`);
    expect(refusal('ort-node-cpu@latest')).toBe(`backend 'ort-node-cpu@latest': version 'latest' is not x.y.z`);
    expect(refusal('ort-node-cpu@')).toBe(`backend 'ort-node-cpu@': version '' is not x.y.z`);
    expect(refusal('ort-node-gpu')).toBe(`unknown backend 'ort-node-gpu' (${KNOWN}; ort-* take @version for side-by-side installs)`);
    expect(refusal('onnxrt@1.12.1')).toContain(`unknown backend 'onnxrt@1.12.1' (${KNOWN}`);
    // only onnxruntime is installed side by side: tfjs and the reference have one release
    expect(refusal('tfjs-cpu@4.22.0')).toContain(`unknown backend 'tfjs-cpu@4.22.0' (known:`);
    expect(refusal('reference@1.0.0')).toContain(`unknown backend 'reference@1.0.0' (known:`);
    expect(refusal('')).toContain(`unknown backend '' (known:`);
  });

  it('reads any name without judging it, for culprits and exclusion keys', () => {
    expect(readBackendName('my-plant@2.0.0')).toEqual({ kind: 'unregistered', spec: 'my-plant@2.0.0', base: 'my-plant', version: '2.0.0' });
    expect(readBackendName('ort-node-cpu@latest')).toMatchObject({ kind: 'builtin', version: 'latest' });
  });

  it('is the rule createBackend and the CLI check apply, with the same messages', async () => {
    await expect(createBackend('ort-node-tpu')).rejects.toThrow(new UnknownBackend(refusal('ort-node-tpu')));
    await expect(createBackend('ort-node-cpu@1.x')).rejects.toThrow(`version '1.x' is not x.y.z`);
    await expect(checkBackendNames(['ort-node-cpu', 'tfjs-cpu@4.22.0'])).rejects.toThrow(UsageError);
    await expect(checkBackendNames(['module:'])).rejects.toThrow(`'module:' needs a path`);
    // resolving builds the backend without starting its runtime: the name it reports is the one written
    expect((await createBackend('ort-node-cpu@1.12.1')).name).toBe('ort-node-cpu@1.12.1');
    expect((await createBackend('ort-node-cpu-noopt')).name).toBe('ort-node-cpu-noopt');
    expect((await createBackend('ort-web-wasm@1.30.0')).name).toBe('ort-web-wasm@1.30.0');
    expect((await createBackend('command:./x@1/tool')).name).toBe('command:./x@1/tool');
    expect((await createBackend('reference')).name).toBe('reference');
  });

  it('is the rule defineBackend checks declared names with', () => {
    for (const ok of ['ort-node-cpu', 'ort-node-cpu@1.12.1', 'shifted-abs', 'tfjs-wasm@4.22.0', 'command:/bin/tool']) expect(isWellFormedName(ok), ok).toBe(true);
    for (const bad of ['Ort-Node', 'my_backend', 'ort-node-cpu@latest', '-x', '', 'command:']) expect(isWellFormedName(bad), bad).toBe(false);
    const b = { version: () => '0', available: async () => ({ ok: true as const }), supports: () => [], prepare: async () => 0, run: async () => ({}) };
    expect(() => defineBackend({ ...b, name: 'My Backend' })).toThrow(`defineBackend: bad backend name 'My Backend' (lower-kebab, optionally @version)`);
    expect(defineBackend({ ...b, name: 'planted@1.0.0' }).name).toBe('planted@1.0.0');
  });
});

describe('what a name says about its backend', () => {
  it('base, release and pinned version', () => {
    expect(backendBase('ort-node-cpu@1.12.1')).toBe('ort-node-cpu');
    expect(backendBase('ort-node-cpu-noopt')).toBe('ort-node-cpu-noopt');
    expect(backendBase('command:/x/tool@1.2.3')).toBe('command:/x/tool@1.2.3');
    expect(gateBase).toBe(backendBase);
    expect(withVersion('ort-node-cpu', '1.30.0')).toBe('ort-node-cpu@1.30.0');
    expect(withVersion('ort-node-cpu@1.12.1', '1.12.1')).toBe('ort-node-cpu@1.12.1');
    expect(withVersion('ort-node-cpu', undefined)).toBe('ort-node-cpu');
    expect(withVersion('command:./t', '3.1.0')).toBe('command:./t');
    expect(pinnedVersion('ort-web-wasm@1.30.0')).toBe('1.30.0');
    expect(pinnedVersion('ort-web-wasm')).toBeUndefined();
    expect(pinnedVersion('module:./a@1.0.0.mjs')).toBeUndefined();
  });

  it('external programs, and their paths made absolute', () => {
    expect(['command:./t', 'module:./b.mjs'].every(isExternalProgram)).toBe(true);
    expect(['reference', 'ort-node-cpu@1.12.1', 'tfjs-node', 'commander'].some(isExternalProgram)).toBe(false);
    const abs = (p: string): string => `/home/u/${p.replace(/^\.\//, '')}`;
    expect(absoluteExternal('command:./t', abs)).toBe('command:/home/u/t');
    expect(absoluteExternal('module:./b@1.mjs', abs)).toBe('module:/home/u/b@1.mjs');
    expect(absoluteExternal('ort-node-cpu@1.12.1', abs)).toBe('ort-node-cpu@1.12.1');
  });

  it('kernel families: onnxruntime CPU kernels are one witness, every other backend its own', () => {
    const cpu = ['ort-node-cpu', 'ort-node-cpu-noopt', 'ort-web-wasm', 'ort-node-cpu@1.12.1', 'ort-web-wasm@1.30.0'].map(kernelFamily);
    expect(new Set(cpu)).toEqual(new Set(['onnxruntime-cpu']));
    expect(kernelFamily('ort-node-webgpu@1.30.0')).toBe('ort-node-webgpu');
    expect(kernelFamily('tfjs-cpu')).toBe('tfjs-cpu');
    expect(kernelFamily('tfjs-wasm')).toBe('tfjs-wasm');
    expect(kernelFamily('module:/p/shifted-abs.mjs')).toBe('module:/p/shifted-abs.mjs');
  });

  it('the runtime behind a name', () => {
    expect(runtimeOf('ort-web-wasm@1.30.0')).toBe('onnxruntime-web');
    expect(runtimeOf('ort-node-cuda')).toBe('onnxruntime-node');
    expect(runtimeOf('tfjs-node')).toBe('tfjs');
    expect(runtimeOf('reference')).toBe('reference');
    expect(runtimeOf('command:/bin/ort-web-wasm')).toBeUndefined();
    expect(runtimeOf('ort-web-gpu')).toBeUndefined();
  });

  it('the packages a standalone repro installs', () => {
    expect(reproRequirement('ort-node-cpu@1.12.1')).toBe('npm install onnxruntime-node@1.12.1');
    expect(reproRequirement('ort-node-webgpu', '1.30.0')).toBe('npm install onnxruntime-node@1.30.0');
    expect(reproRequirement('ort-node-cpu', 'not installed')).toBe('npm install onnxruntime-node');
    expect(reproRequirement('ort-web-wasm')).toBe('npm install onnxruntime-web');
    expect(reproRequirement('tfjs-cpu', '4.22.0')).toBe('npm install @tensorflow/tfjs-core@4.22.0 @tensorflow/tfjs-backend-cpu@4.22.0');
    expect(reproRequirement('tfjs-wasm')).toBe('npm install @tensorflow/tfjs-core @tensorflow/tfjs-backend-wasm');
    expect(reproRequirement('tfjs-node', '4.22.0')).toBe('npm install @tensorflow/tfjs-node@4.22.0');
    expect(reproRequirement('command:/x@1.2.3')).toBeUndefined();
    expect(reproRequirement('reference')).toBeUndefined();
  });

  it('how a report names it', () => {
    expect(displayName('ort-node-cpu@1.12.1', '1.12.1')).toBe('onnxruntime-node 1.12.1, CPU execution provider, graph optimisations on (level "all")');
    expect(describeBackend('ort-node-cpu-noopt')).toBe('onnxruntime-node, CPU execution provider, graph optimisations off');
    expect(describeBackend('ort-web-wasm', '1.30.0')).toBe('onnxruntime-web 1.30.0, wasm execution provider (single thread)');
    expect(describeBackend('tfjs-wasm', '4.22.0')).toBe('tfjs 4.22.0, wasm backend');
    expect(describeBackend('tfjs-node', '4.22.0')).toBe('tfjs-node 4.22.0');
    expect(describeBackend('command:/x/t', '2.0')).toBe('command:/x/t 2.0');
    expect(describeBackend('reference')).toBe('reference');
  });

  it('every flavour table entry is a registered built-in run by its runtime', () => {
    expect(BUILTIN_BACKENDS).toEqual(Object.keys(BUILTINS));
    for (const f of Object.keys(ORT_NODE_FLAVOURS)) expect(BUILTINS[f], f).toMatchObject({ runtime: 'onnxruntime-node', versioned: true });
    for (const f of Object.keys(TFJS_FLAVOURS)) expect(BUILTINS[f], f).toMatchObject({ runtime: 'tfjs', versioned: false });
    const runtimes = Object.values(BUILTINS).map((b) => b.runtime);
    expect(runtimes.filter((r) => r === 'onnxruntime-node')).toHaveLength(Object.keys(ORT_NODE_FLAVOURS).length);
    expect(runtimes.filter((r) => r === 'tfjs')).toHaveLength(Object.keys(TFJS_FLAVOURS).length);
  });
});
