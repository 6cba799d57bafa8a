/**
 * Large plans for the splitting tests and the benchmark, built from real resource shapes: the
 * resource changes of the real plans in test/fixtures/terraform-plans (AWS S3 buckets, log
 * groups, SNS topics, sensitive local files, replacements with replace_paths), copied under new
 * addresses with per-copy values, so the size of every block is what Terraform really writes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
/**
 * Byte-for-byte copies of the real plans (see PROVENANCE.md there), kept in the repository so the
 * tests do not depend on where a clone sits.
 */
export const FIXTURES_DIR = resolve(ROOT, 'test', 'fixtures', 'terraform-plans');

/** The fixtures directory, or an error that says where it is expected. */
export function fixturesDir(): string {
  if (!existsSync(FIXTURES_DIR)) throw new Error(`The real Terraform plans are missing: expected ${FIXTURES_DIR} (see its PROVENANCE.md).`);
  return FIXTURES_DIR;
}

export function loadFixture(name: string): any {
  return JSON.parse(readFileSync(join(fixturesDir(), name), 'utf8'));
}

/** Real resource changes to copy from: every managed, non-no-op change of these fixtures. */
export function realShapes(): any[] {
  const files = ['snyk-aws-mixed-drift.json', 'cds-snc-import-aws.json', 'borchero-replace-sensitive.json', 'tfplan-validator-create-before-destroy.json', 'tfplan-validator-multienv-dev3.json'];
  return files.flatMap((f) => (loadFixture(f).resource_changes as any[]).filter((rc) => rc.mode === 'managed' && !(rc.change.actions.length === 1 && rc.change.actions[0] === 'no-op')));
}

function suffixStrings(value: any, keys: ReadonlySet<string>, suffix: string): any {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: any = { ...value };
  for (const k of Object.keys(out)) if (keys.has(k) && typeof out[k] === 'string' && out[k]) out[k] = `${out[k]}-${suffix}`;
  return out;
}

const IDENTIFYING = new Set(['id', 'arn', 'bucket', 'name', 'filename', 'bucket_domain_name']);

/**
 * A `terraform show -json` plan with `count` resource changes copied round-robin from the real
 * shapes, in `stacks` module-like groups so addresses look like real multi-module plans.
 */
export function generatePlan(count: number, shapes: any[] = realShapes()): any {
  const changes: any[] = [];
  for (let i = 0; i < count; i++) {
    const shape = shapes[i % shapes.length];
    const name = `gen_${i}`;
    const address = `module.wave_${i % 17}.${shape.type}.${name}`;
    changes.push({
      ...shape,
      address,
      module_address: `module.wave_${i % 17}`,
      name,
      change: { ...shape.change, before: suffixStrings(shape.change.before, IDENTIFYING, String(i)), after: suffixStrings(shape.change.after, IDENTIFYING, String(i)) },
    });
  }
  return { format_version: '1.2', terraform_version: '1.11.4', planned_values: { root_module: {} }, resource_changes: changes, configuration: { root_module: {} } };
}

// `ts-node bench/plan-review/generate-plan.ts COUNT OUT.json`: writes a generated plan.
if (require.main === module) {
  const [count, out] = process.argv.slice(2);
  if (!count || !out) throw new Error('usage: generate-plan.ts COUNT OUT.json');
  require('node:fs').writeFileSync(out, JSON.stringify(generatePlan(Number(count))));
}
