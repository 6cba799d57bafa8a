import { CreateServiceLinkedRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { writeFileSync } from 'node:fs';
import { startMoto } from '../support/moto';
import { synthToTemp, exampleConfig } from '../support/synth';
import { init } from '../support/terraform';
import { startRecorder } from './recorder';
import { OracleStack, prepareOracleStack, tfAs } from './terraform-run';

const log = (s: string) => process.stderr.write(`[explore ${new Date().toISOString()}] ${s}\n`);
jest.setTimeout(900_000);
test('explore', async () => {
  const t0 = Date.now();
  process.env.MOTO_IAM_LOAD_MANAGED_POLICIES = 'true';
  const moto = await startMoto({ accountPerRequest: true });
  log(`moto ${moto.url}`);
  const rec = await startRecorder(moto.url, { name: 'moto', accountPerPrincipal: true });
  rec.register('AKIAAPPLY', { arn: 'arn:aws:iam::111111111111:role/apply', account: '111111111111', kind: 'role' });
  rec.register('AKIASETUP2', { arn: 'setup', account: '222222222222', kind: 'setup' });
  const iam = new IAMClient({ endpoint: rec.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIASETUP2', secretAccessKey: 'x' } });
  await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'autoscaling.amazonaws.com' }));
  log('slr');
  const { outdir } = synthToTemp(exampleConfig('factory.yaml'));
  const applied: Record<string, OracleStack> = {};
  const times: Record<string, number> = {};
  for (const s of ['network', 'security', 'mgn', 'automation', 'vm-import']) applied[s] = prepareOracleStack(outdir, s, rec.url, applied);
  let t = Date.now();
  for (const s of Object.values(applied)) { await init(s.dir); log(`init ${s.name}`); }
  times.init = Date.now() - t;
  for (const group of [['network', 'security'], ['mgn', 'automation', 'vm-import']]) {
    t = Date.now();
    await Promise.all(group.map((s) => tfAs(applied[s], 'AKIAAPPLY', ['apply', '-no-color', '-input=false', '-auto-approve', '-lock=false']).then(() => log(`applied ${s}`))));
    times[group.join('+')] = Date.now() - t;
  }
  t = Date.now();
  const n = rec.requests.length;
  await Promise.all(Object.values(applied).map((s) => tfAs(s, 'AKIAAPPLY', ['plan', '-no-color', '-input=false', '-lock=false', '-refresh-only'])));
  times.plan = Date.now() - t;
  log('planned');
  t = Date.now();
  const d = rec.requests.length;
  for (const group of [['mgn', 'automation', 'vm-import'], ['network', 'security']]) {
    await Promise.all(group.map((s) => tfAs(applied[s], 'AKIAAPPLY', ['destroy', '-no-color', '-input=false', '-auto-approve', '-lock=false'])));
  }
  times.destroy = Date.now() - t;
  times.total = Date.now() - t0;
  writeFileSync('/tmp/oracle/requests.json', JSON.stringify({ times, planFrom: n, destroyFrom: d, requests: rec.requests.map((r) => ({ ...r, response: r.response.slice(0, 2000) })) }, null, 1));
  log(JSON.stringify(times));
  await rec.stop();
  await moto.stop();
});
