import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { caseSeed, generateGraph, OptionError, resolveOptions } from '../../../generators/graph.js';
import type { DType } from '../../ir/index.js';
import { canonicalJson, graphHash } from '../../ir/index.js';
import { exportModel } from '../../onnx/index.js';
import { writeFileAtomic } from '../../util/fs.js';
import { intFlag, listFlag, UsageError } from '../errors.js';

interface GenFlags {
  count: string;
  seed: string;
  nodes: string;
  out: string;
  include?: string;
  exclude?: string;
  dtypes?: string;
  maxElems: string;
  opset: string;
  json?: boolean;
}

/** `onnxsmith gen`: write generated graphs (model.onnx + graph.json per graph) to a folder. */
export function registerGen(program: Command): void {
  program
    .command('gen')
    .description('generate ONNX graphs: OUT/<index>/model.onnx and graph.json, deterministic from --seed')
    .option('-n, --count <N>', 'number of graphs', '10')
    .option('-s, --seed <S>', 'seed (the same seed gives byte-identical models)', '0')
    .option('-k, --nodes <K>', 'operators per graph', '10')
    .requiredOption('-o, --out <DIR>', 'output folder (created; its parent must exist)')
    .option('--include <ops>', 'only these operators (comma-separated ONNX names)')
    .option('--exclude <ops>', 'never these operators')
    .option('--dtypes <list>', 'element types allowed (float32,float64,int32,int64,bool)')
    .option('--max-elems <N>', 'largest element count of any tensor', '512')
    .option('--opset <V>', 'default-domain opset (17 or 18)', '17')
    .option('--json', 'print a JSON summary')
    .action((flags: GenFlags) => {
      const count = intFlag('--count', flags.count, 1, 10_000_000);
      const seed = intFlag('--seed', flags.seed, -(2 ** 31), 2 ** 31 - 1);
      const nodes = intFlag('--nodes', flags.nodes, 1, 10_000);
      const out = resolve(flags.out);
      if (!existsSync(dirname(out))) throw new UsageError(`--out: parent folder ${dirname(out)} does not exist`);
      if (!statSync(dirname(out)).isDirectory()) throw new UsageError(`--out: ${dirname(out)} is not a folder`);
      if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out: ${out} exists and is not a folder`);
      let options;
      try {
        options = resolveOptions({
          nodes,
          ...(flags.include ? { include: listFlag(flags.include) } : {}),
          ...(flags.exclude ? { exclude: listFlag(flags.exclude) } : {}),
          ...(flags.dtypes ? { dtypes: listFlag(flags.dtypes) as DType[] } : {}),
          maxElems: intFlag('--max-elems', flags.maxElems, 1),
          opset: intFlag('--opset', flags.opset, 1, 100),
        });
      } catch (e) {
        if (e instanceof OptionError) throw new UsageError(e.message);
        throw e;
      }
      mkdirSync(out, { recursive: true });
      const width = Math.max(6, String(count - 1).length);
      const written: { dir: string; seed: number; hash: string; nodes: number }[] = [];
      for (let i = 0; i < count; i++) {
        const s = caseSeed(seed, i);
        const graph = generateGraph(s, options);
        const dir = join(out, String(i).padStart(width, '0'));
        const hash = graphHash(graph);
        writeFileAtomic(join(dir, 'model.onnx'), exportModel(graph));
        const meta = { generator: { seed, index: i, caseSeed: s, nodes, opset: options.opset, maxElems: options.maxElems }, hash, graph };
        writeFileAtomic(join(dir, 'graph.json'), canonicalJson(meta, 1) + '\n');
        written.push({ dir, seed: s, hash, nodes: graph.nodes.length });
      }
      if (flags.json) process.stdout.write(JSON.stringify({ out, graphs: written }, null, 2) + '\n');
      else process.stdout.write(`wrote ${count} graph${count === 1 ? '' : 's'} to ${out}\n`);
    });
}
