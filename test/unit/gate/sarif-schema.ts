/**
 * Validates SARIF against the official 2.1.0 schema kept offline in test/fixtures/sarif/. The schema is written
 * in JSON Schema draft-04, which Ajv 8 does not load as such; its keywords here are all draft-07 compatible, so
 * the only change is draft-04's `id` becoming `$id` (and the draft-04 `$schema` line being dropped).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

const SCHEMA = join(import.meta.dirname, '../../fixtures/sarif/sarif-schema-2.1.0.json');

type AddFormats = (ajv: Ajv) => Ajv;
// ajv-formats is CommonJS with a `default` property; under NodeNext the default import is the module object
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats));

let validate: ReturnType<Ajv['compile']> | undefined;

/** Schema errors for `log` as readable lines (empty when valid). */
export function sarifErrors(log: unknown): string[] {
  if (!validate) {
    const { $schema: _draft, id, ...rest } = JSON.parse(readFileSync(SCHEMA, 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validate = ajv.compile({ ...rest, $id: String(id) });
  }
  return validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
