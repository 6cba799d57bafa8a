import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { motoClientConfig, sharedMotoUrl, startMoto } from '../support/moto';
import { init, terraform, terraformCliConfig } from '../support/terraform';
import { cfnLintBin, PROVIDER_MIRROR } from '../support/tools';

describe('test harness', () => {
  it('moto (started by global setup) answers real SDK calls in the configured account', async () => {
    const url = sharedMotoUrl();
    const ec2 = new EC2Client(motoClientConfig(url));
    const regions = await ec2.send(new DescribeRegionsCommand({}));
    expect(regions.Regions?.map((r) => r.RegionName)).toContain('eu-west-1');
    const sts = new STSClient(motoClientConfig(url));
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe('111111111111');
  });

  it('moto wrapper answers the Step Functions actions moto 5.2.1 lacks', async () => {
    const moto = await startMoto();
    try {
      const call = (target: string, body: unknown) =>
        fetch(moto.url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AWSStepFunctions.${target}`, authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/eu-west-1/states/aws4_request, SignedHeaders=host, Signature=x' },
          body: JSON.stringify(body),
        });
      const ok = await call('ValidateStateMachineDefinition', { definition: JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Succeed' } } }) });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ result: 'OK' });
      const bad = await call('ValidateStateMachineDefinition', { definition: '{}' });
      expect(await bad.json()).toMatchObject({ result: 'FAIL' });
      const versions = await call('ListStateMachineVersions', { stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:x' });
      expect(await versions.json()).toEqual({ stateMachineVersions: [] });
    } finally {
      await moto.stop();
    }
  });

  it('terraform init installs the AWS provider from the local mirror without network', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehost-tfinit-'));
    writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({ terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: '5.100.0' } } } }));
    await init(dir, false);
    const v = await terraform(dir, ['version', '-json']);
    expect(JSON.parse(v.stdout).provider_selections['registry.terraform.io/hashicorp/aws']).toBe('5.100.0');
    if (existsSync(PROVIDER_MIRROR)) {
      expect(require('node:fs').readFileSync(terraformCliConfig(), 'utf8')).toContain(PROVIDER_MIRROR);
    }
  });

  it('cfn-lint is available at the pinned major', () => {
    const out = require('node:child_process').execFileSync(cfnLintBin(), ['--version'], { encoding: 'utf8' });
    expect(out).toMatch(/cfn-lint 1\./);
  });
});
