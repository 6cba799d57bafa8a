import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapDocument } from '../../../src/config/sections/bootstrap';
import { BOOTSTRAP_DOCUMENTS, loadBootstrapDocument, SSM_DOCUMENTS_DIR, SsmDocumentContent } from '../../../src/infra/constructs/ssm-bootstrap-documents';

/** Actions a Command document (schemaVersion 2.2) may use, per the SSM document plugin reference. */
const COMMAND_ACTIONS = ['aws:runShellScript', 'aws:runPowerShellScript', 'aws:configurePackage', 'aws:runDocument', 'aws:downloadContent', 'aws:softwareInventory', 'aws:applications', 'aws:psModule', 'aws:updateSsmAgent', 'aws:configureDocker', 'aws:cloudWatch', 'aws:domainJoin'];
const REQUIRED_KEYS: Record<string, string[]> = { '2.2': ['schemaVersion', 'description', 'mainSteps'], '0.3': ['schemaVersion', 'description', 'mainSteps'] };
const PLATFORMS = ['Linux', 'Windows', 'MacOS'];

/** Every problem of a document, in words. */
function documentProblems(doc: SsmDocumentContent): string[] {
  const out: string[] = [];
  const required = REQUIRED_KEYS[doc.schemaVersion];
  if (!required) return [`schemaVersion "${doc.schemaVersion}" is neither 2.2 (Command) nor 0.3 (Automation)`];
  for (const k of required) if (!(k in doc)) out.push(`missing top-level key ${k}`);
  if (!Array.isArray(doc.mainSteps) || !doc.mainSteps.length) return [...out, 'mainSteps must be a non-empty list'];
  const declared = new Set(Object.keys(doc.parameters ?? {}));
  const used = new Set<string>();
  const names = new Set<string>();
  for (const step of doc.mainSteps) {
    const where = `step ${step.name ?? '?'}`;
    if (!/^[A-Za-z0-9_.-]+$/.test(step.name ?? '')) out.push(`${where}: name must be letters, digits, "_", "." or "-"`);
    if (names.has(step.name)) out.push(`${where}: duplicate step name`);
    names.add(step.name);
    if (!step.inputs) out.push(`${where}: missing inputs`);
    if (doc.schemaVersion === '2.2') {
      if (!COMMAND_ACTIONS.includes(step.action)) out.push(`${where}: action ${step.action} is not a Command document plugin`);
      const pre = step.precondition as { StringEquals?: unknown[] } | undefined;
      if (!pre?.StringEquals || pre.StringEquals[0] !== 'platformType' || !PLATFORMS.includes(String(pre.StringEquals[1]))) {
        out.push(`${where}: missing precondition StringEquals [platformType, Linux|Windows|MacOS]`);
      }
      if (step.action === 'aws:runShellScript' && pre?.StringEquals?.[1] !== 'Linux') out.push(`${where}: a shell script step must be limited to Linux`);
      if (step.action === 'aws:runPowerShellScript' && pre?.StringEquals?.[1] !== 'Windows') out.push(`${where}: a PowerShell step must be limited to Windows`);
    }
    for (const m of JSON.stringify(step).matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)) {
      used.add(m[1]);
      if (!declared.has(m[1])) out.push(`${where}: references undeclared parameter {{ ${m[1]} }}`);
    }
  }
  for (const p of declared) if (!used.has(p)) out.push(`parameter ${p} is declared but never used`);
  for (const [p, d] of Object.entries(doc.parameters ?? {})) {
    if (d.default !== undefined && d.allowedPattern && !new RegExp(d.allowedPattern).test(String(d.default))) out.push(`parameter ${p}: default "${d.default}" does not match allowedPattern`);
  }
  return out;
}

const documents = BOOTSTRAP_DOCUMENTS.map((name) => [name, loadBootstrapDocument(name)] as const);

describe('SSM bootstrap documents', () => {
  it('ships exactly the documents factory.yaml can name', () => {
    const files = readdirSync(SSM_DOCUMENTS_DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();
    expect(files).toEqual([...BOOTSTRAP_DOCUMENTS].sort());
    expect([...bootstrapDocument.options].sort()).toEqual([...BOOTSTRAP_DOCUMENTS].sort());
  });

  it.each(documents)('%s parses, has the keys of its schemaVersion, uses only declared parameters and a platform precondition on each step', (_name, doc) => {
    expect(doc.schemaVersion).toBe('2.2');
    expect(documentProblems(doc)).toEqual([]);
    const platforms = doc.mainSteps.map((s) => (s.precondition as { StringEquals: string[] }).StringEquals[1]);
    expect(new Set(platforms)).toEqual(new Set(['Linux', 'Windows']));
  });

  it('the Linux scripts are valid bash', () => {
    const failures = documents.flatMap(([name, doc]) =>
      doc.mainSteps
        .filter((s) => s.action === 'aws:runShellScript')
        .flatMap((s) => {
          // SSM substitutes {{ Param }} before the shell sees the script.
          const script = (s.inputs.runCommand as string[]).join('\n').replace(/\{\{\s*\w+\s*\}\}/g, 'value');
          const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
          return r.status === 0 ? [] : [`${name}/${s.name}: ${r.stderr.trim()}`];
        }),
    );
    expect(failures).toEqual([]);
  });

  // Migrated servers rarely have the AWS CLI or AWS Tools for PowerShell: a step that uses one checks
  // for it first and says what to install.
  it('the steps that read Parameter Store on the server are the ones expected (so the check below has something to check)', () => {
    const users = documents.flatMap(([name, doc]) =>
      doc.mainSteps
        .filter((step) => /(^|[\s(|;&])aws(\.exe)? ssm |Get-SSMParameterValue -Name/m.test(((step.inputs.runCommand as string[] | undefined) ?? []).join('\n')))
        .map((step) => `${name}/${step.name}`),
    );
    expect(users.sort()).toEqual(['join-active-directory/joinLinux', 'join-active-directory/joinWindows']);
  });

  it.each(documents)('%s checks for the AWS CLI / AWS Tools for PowerShell before using them', (_name, doc) => {
    for (const step of doc.mainSteps) {
      const script = ((step.inputs.runCommand as string[] | undefined) ?? []).join('\n');
      const uses = (re: RegExp) => script.search(re);
      const cli = uses(/(^|[\s(|;&])aws(\.exe)? ssm /m);
      if (step.action === 'aws:runShellScript' && cli >= 0) {
        expect({ step: step.name, checkBeforeUse: script.indexOf('command -v aws') >= 0 && script.indexOf('command -v aws') < cli }).toEqual({ step: step.name, checkBeforeUse: true });
        expect(script).toMatch(/AWS CLI is not installed[^\n]*Install AWS CLI v2/);
      }
      const cmdlet = uses(/Get-SSMParameterValue -Name/);
      if (step.action === 'aws:runPowerShellScript' && cmdlet >= 0) {
        expect(script.indexOf('Get-Command Get-SSMParameterValue')).toBeLessThan(cmdlet);
        expect(script).toMatch(/throw '[^']*neither[^']*is installed[^']*Install-Module AWS\.Tools\.SimpleSystemsManagement[^']*AWS CLI v2 MSI/);
      }
    }
  });

  describe('join-active-directory on Linux', () => {
    const doc = loadBootstrapDocument('join-active-directory');
    const script = (doc.mainSteps.find((s) => s.name === 'joinLinux')!.inputs.runCommand as string[]).join('\n').replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, p: string) => (p === 'OuParameter' ? '' : `/rehost/ad/${p}`));
    const run = (path: string, env: Record<string, string> = {}) => spawnSync('/bin/bash', ['-c', script], { env: { PATH: path, ...env }, encoding: 'utf8', timeout: 10_000 });

    it('fails at once, naming what to install, where the AWS CLI is missing', () => {
      const r = run(mkdtempSync(join(tmpdir(), 'no-aws-')));
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('join-active-directory: the AWS CLI is not installed; it reads the domain, join user and password from Parameter Store. Install AWS CLI v2');
    });

    it('says which parameter it could not read, with the Region from the SSM agent', () => {
      const bin = mkdtempSync(join(tmpdir(), 'failing-aws-'));
      // An AWS CLI that records its arguments and fails like a missing parameter.
      writeFileSync(join(bin, 'aws'), `#!/bin/bash\necho "$*" > "${bin}/args"; echo 'An error occurred (ParameterNotFound)' >&2; exit 254\n`);
      chmodSync(join(bin, 'aws'), 0o755);
      const r = run(bin, { AWS_SSM_REGION_NAME: 'eu-west-1' });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('cannot read Parameter Store parameter /rehost/ad/DomainNameParameter');
      expect(spawnSync('cat', [join(bin, 'args')], { encoding: 'utf8' }).stdout.trim()).toBe('ssm get-parameter --region eu-west-1 --with-decryption --name /rehost/ad/DomainNameParameter --query Parameter.Value --output text');
    });
  });

  it.each([
    ['no mainSteps', { schemaVersion: '2.2', description: 'd' }, /missing top-level key mainSteps/],
    ['an unknown schemaVersion', { schemaVersion: '1.2', description: 'd', mainSteps: [] }, /neither 2.2/],
    ['a step without platform precondition', { schemaVersion: '2.2', description: 'd', mainSteps: [{ action: 'aws:runShellScript', name: 'a', inputs: { runCommand: ['true'] } }] }, /missing precondition/],
    ['a PowerShell step on Linux', { schemaVersion: '2.2', description: 'd', mainSteps: [{ action: 'aws:runPowerShellScript', name: 'a', precondition: { StringEquals: ['platformType', 'Linux'] }, inputs: { runCommand: ['1'] } }] }, /limited to Windows/],
    ['an undeclared parameter', { schemaVersion: '2.2', description: 'd', mainSteps: [{ action: 'aws:runShellScript', name: 'a', precondition: { StringEquals: ['platformType', 'Linux'] }, inputs: { runCommand: ['echo {{ Nope }}'] } }] }, /undeclared parameter \{\{ Nope \}\}/],
    ['an unused parameter', { schemaVersion: '2.2', description: 'd', parameters: { P: { type: 'String' } }, mainSteps: [{ action: 'aws:runShellScript', name: 'a', precondition: { StringEquals: ['platformType', 'Linux'] }, inputs: { runCommand: ['true'] } }] }, /P is declared but never used/],
  ])('the checks catch %s', (_what, doc, message) => {
    expect(documentProblems(doc as unknown as SsmDocumentContent)).toContainEqual(expect.stringMatching(message));
  });
});
