import type { Command } from 'commander';
import { OPS } from '../../../generators/ops/index.js';

/** `onnxsmith ops`: every operator the generator and reference know, with its dtypes. */
export function registerOps(program: Command): void {
  program
    .command('ops')
    .description('list the operators onnxsmith generates, with element types and ranks')
    .option('--json', 'print JSON')
    .action((flags: { json?: boolean }) => {
      const rows = OPS.map((op) => ({
        op: op.onnx,
        since: op.since,
        dtypes: [...op.dtypes],
        ranks: [...op.ranks],
        attributes: Object.keys(op.attributes),
        backward: op.backward !== undefined,
        domain: op.domain !== undefined,
      }));
      if (flags.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      const w = Math.max(...rows.map((r) => r.op.length));
      process.stdout.write(`${'operator'.padEnd(w)}  since  ranks  bwd  domain  dtypes\n`);
      for (const r of rows) {
        process.stdout.write(
          `${r.op.padEnd(w)}  ${String(r.since).padStart(5)}  ${`${r.ranks[0]}-${r.ranks[1]}`.padStart(5)}  ${r.backward ? 'yes' : ' - '}  ${r.domain ? '  yes ' : '   -  '}  ${r.dtypes.join(',')}\n`,
        );
      }
      process.stdout.write(`${rows.length} operators\n`);
    });
}
