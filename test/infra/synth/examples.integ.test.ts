import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exampleConfig, synthToTemp } from '../../support/synth';
import { validateStacks } from '../../support/terraform';

const STACKS = ['access', 'network', 'security', 'mgn', 'automation', 'vm-import'];

describe.each(['factory.yaml', 'existing-vpc.yaml'])('example %s', (example) => {
  const { outdir, stacks } = synthToTemp(exampleConfig(example));

  it('synthesizes one stack per concern', () => {
    expect(stacks.map((s) => s.name).sort()).toEqual([...STACKS].sort());
    for (const s of STACKS) expect(existsSync(join(outdir, 'stacks', s, 'cdk.tf.json'))).toBe(true);
  });

  it('puts default_tags on the provider of every stack', () => {
    for (const s of STACKS) {
      const tf = JSON.parse(readFileSync(join(outdir, 'stacks', s, 'cdk.tf.json'), 'utf8'));
      for (const p of tf.provider.aws) {
        expect(p.default_tags[0].tags).toMatchObject({ ManagedBy: 'rehost-factory', 'rehost-factory:stack': s });
      }
    }
  });

  // One validate run over every stack (each a module of a scratch root): the provider loads once.
  let errors: Promise<Record<string, unknown[]>> | undefined;
  const errorsOf = () => (errors ??= validateStacks(outdir, STACKS));

  it.each(STACKS)('stack %s passes terraform validate with the real AWS provider', async (stack) => {
    expect((await errorsOf())[stack]).toEqual([]);
  });

  it('nothing outside the stacks fails validation', async () => {
    expect(Object.entries(await errorsOf()).filter(([, e]) => e.length)).toEqual([]);
  });
});

describe('backends', () => {
  it('uses local state for the default example and S3 with a lock file for the existing-VPC example', () => {
    const local = synthToTemp(exampleConfig('factory.yaml'));
    const tfLocal = JSON.parse(readFileSync(join(local.outdir, 'stacks', 'network', 'cdk.tf.json'), 'utf8'));
    expect(tfLocal.terraform.backend.local).toEqual({ path: 'terraform.network.tfstate' });
    const s3 = synthToTemp(exampleConfig('existing-vpc.yaml'));
    const tfS3 = JSON.parse(readFileSync(join(s3.outdir, 'stacks', 'mgn', 'cdk.tf.json'), 'utf8'));
    expect(tfS3.terraform.backend.s3).toMatchObject({ bucket: 'acme-terraform-state-333333333333', key: 'rehost-factory/dc2/mgn.tfstate', region: 'us-east-1', encrypt: true, use_lockfile: true });
  });
});
