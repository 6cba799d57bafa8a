import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli';
import { ConfigError } from '../../src/config/errors';
import { MAX_ESTATE_BYTES, parseFactory } from '../../src/config/load';

/**
 * Estate files that are not what validate expects at all (encoding, size, shape of the file) and
 * values whose message used to mislead: each is refused with exit 2, located, nothing written.
 */
const BASE = readFileSync(join(__dirname, 'fixtures', 'base.yaml'), 'utf8');

function edit(from: string, to: string): (t: string) => string {
  return (t) => {
    const n = t.split(from).length - 1;
    if (n !== 1) throw new Error(`fixture edit expected 1 match of ${JSON.stringify(from)}, found ${n}`);
    return t.replace(from, to);
  };
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Writes `content` as factory.yaml in a fresh folder; synthesizes it into cdktf.out there. */
async function synthOf(content: string | Buffer): Promise<{ file: string; out: string; code: number; err: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'rehost-bad-input-'));
  const file = join(dir, 'factory.yaml');
  writeFileSync(file, content);
  const out = join(dir, 'cdktf.out');
  const r = await cli(['synth', '--config', file, '--out', out]);
  return { file, out, code: r.code, err: r.err };
}

function problemsOf(text: string): ConfigError['problems'] {
  try {
    parseFactory(text, 'f.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('files that are not an estate', () => {
  it('a file saved as Windows-1252 is refused at the first byte that is not UTF-8, and nothing is written', async () => {
    const text = BASE + 'tags:\n  Owner: "M\u00fcller"\n';
    const bytes = Buffer.from(text.replace('\u00fc', '\u0000'), 'utf8');
    bytes[bytes.indexOf(0)] = 0xfc; // "ü" in Windows-1252
    const r = await synthOf(bytes);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${r.file}:45:12 (file): the file is not valid UTF-8: byte 0xFC (byte 12 of line 45) is not part of a UTF-8 character (in Windows-1252 it would be "ü"); save the file as UTF-8`);
    expect(existsSync(r.out)).toBe(false);
  });

  it('a UTF-8 file with a byte-order mark and non-ASCII tag values is read as UTF-8', () => {
    expect(() => parseFactory('\ufeff' + BASE + 'tags:\n  Owner: "Müller"\n', 'bom.yaml')).not.toThrow();
  });

  it('a file saved as UTF-16 says so', async () => {
    const r = await synthOf(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(BASE, 'utf16le')]));
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${r.file}:0:0 (file): the file is saved as UTF-16; save it as UTF-8`);
  });

  it('a binary file is refused without echoing its bytes', async () => {
    const elf = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, ...Buffer.from('garbage'), 0x00, 0xff, 0xfe]);
    const r = await synthOf(elf);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${r.file}:0:0 (file): this is not a text file (a zero byte at offset 7); expected a YAML estate file`);
    expect(r.err).not.toMatch(/ELF|garbage|\\u0000|\u0000/);
  });

  it.each([
    ['empty', ''],
    ['only whitespace', '\n\n   \n'],
    ['only comments', '# factory.yaml\n# TODO: fill in\n'],
  ])('an %s file says it is empty, not "expected version: 1, got undefined"', async (_what, content) => {
    const r = await synthOf(content);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${r.file}:0:0 (file): the estate file is empty: expected a YAML map that starts with "version: 1" (see examples/factory.yaml)`);
    expect(r.err).not.toContain('undefined');
  });

  it('a missing file and a folder are named as such', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehost-bad-input-'));
    expect((await cli(['validate', join(dir, 'nope.yaml')])).err).toContain(`${join(dir, 'nope.yaml')}:0:0 (file): cannot read the estate file: file not found`);
    const folder = await cli(['validate', dir]);
    expect(folder.code).toBe(2);
    expect(folder.err).toContain(`${dir}:0:0 (file): this is a folder; expected an estate file such as factory.yaml`);
  });

  it('a file larger than the cap is refused before it is parsed', async () => {
    const big = BASE + `# ${'x'.repeat(MAX_ESTATE_BYTES)}\n`;
    const started = Date.now();
    const r = await synthOf(big);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${r.file}:0:0 (file): the file has ${Buffer.byteLength(big).toLocaleString('en-US')} bytes; an estate file has at most 4,194,304 (4 MiB, about 10,000 servers): is this the right file?`);
    // Refused from its size: parsing 4 MiB takes seconds (bench/estate-parse), this takes a stat.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a file missing its version and other required fields says which are missing, not "got undefined"', () => {
    expect(problemsOf('name: x\n').map((p) => `${p.path}: ${p.message}`).slice(0, 2)).toEqual(['version: missing required field: expected version: 1', 'region: missing required field: expected an AWS Region name, e.g. "eu-west-1"']);
  });

  it('a top-level list or scalar is one problem at the root', () => {
    expect(problemsOf('- version: 1\n')).toEqual([{ file: 'f.yaml', line: 1, column: 1, path: '(root)', message: 'expected a YAML map of estate settings starting with "version: 1", got a list' }]);
  });

  it('a second YAML document is refused at its "---" line', () => {
    const text = `# estate\n${BASE}\n# a second estate pasted below\n---\nversion: 1\nname: other\n`;
    const line = text.split('\n').indexOf('---') + 1;
    expect(problemsOf(text)).toEqual([
      { file: 'f.yaml', line, column: 1, path: '(syntax)', message: 'a second YAML document starts here (after "---"): an estate file holds one document; remove the "---" line or move the second estate into a file of its own' },
    ]);
    // A leading "---" and a trailing empty document are one estate.
    expect(problemsOf(`---\n${BASE}---\n`)).toEqual([]);
  });

  it('a YAML alias bomb is refused at its first alias, not a ReferenceError', async () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    const r = await synthOf(lines.join('\n') + '\n');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${r.file}:2:10 (syntax): YAML aliases (*name) expand to more than 1000 copies; an estate needs no such nesting: write the values out (Excessive alias count indicates a resource exhaustion attack)`);
    expect(r.err).not.toContain('ReferenceError');
  });

  it('a duplicated key is refused at its second occurrence, naming the first', () => {
    expect(problemsOf(edit('region: eu-west-1\n', 'region: eu-west-1\nregion: eu-west-2\n')(BASE))).toEqual([
      { file: 'f.yaml', line: 4, column: 1, path: '(syntax)', message: 'YAML syntax error: Map keys must be unique; "region" is already defined at line 3' },
    ]);
  });
});

describe('values whose message used to mislead', () => {
  const at = (text: string, path: string) => problemsOf(text).filter((p) => p.path === path);

  it('tag keys: too long, the aws: prefix, characters some services refuse; tag values: too long', () => {
    const long = 'k'.repeat(130);
    const problems = problemsOf(BASE + `tags:\n  aws:owner: x\n  ${long}: y\n  "cost#center": z\n  Note: "${'v'.repeat(257)}"\n`);
    expect(problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`)).toEqual([
      '45:3 tags.aws:owner: tag key "aws:owner" starts with "aws:", a prefix AWS reserves for its own tags: choose another key',
      `46:3 tags.${long}: tag key "${'k'.repeat(37)}..." has 130 characters; AWS allows 128`,
      '47:3 tags.cost#center: tag key "cost#center" contains "#" (U+0023); the estate\'s tags go on every resource, and AWS allows only letters, digits, spaces and _ . : / = + - @ in tags on all services',
      `48:9 tags.Note: tag value "${'v'.repeat(37)}..." has 257 characters; AWS allows 256`,
    ]);
  });

  it('tags only EC2 carries may use any character, but not the aws: prefix', () => {
    const testPlacement = 's-1234567890abcdef0\n            test: { subnet: app-a, securityGroups: [sg-0aa0000000000a001], instanceType: t3.medium }';
    const withTags = (tags: string) => edit(testPlacement, testPlacement.replace('t3.medium }', `t3.medium, tags: ${tags} }`))(BASE);
    expect(problemsOf(withTags('{ "Cost#Center": "a,b" }'))).toEqual([]);
    expect(at(withTags('{ "AWS:x": y }'), 'waves[0].applications[0].servers[0].test.tags.AWS:x')[0].message).toMatch(/starts with "AWS:", a prefix AWS reserves/);
  });

  it('a single value where a list belongs is one problem that shows the list form', () => {
    const text = edit(
      '  stagingSubnets:\n    - name: staging-a\n      availabilityZone: eu-west-1a\n      cidr: 10.90.0.0/24\n    - name: staging-b\n      availabilityZone: eu-west-1b\n      cidr: 10.90.1.0/24\n',
      '  stagingSubnets: staging-a\n',
    )(BASE);
    expect(problemsOf(text).map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`)).toEqual([
      '13:19 network.stagingSubnets: expected a list, got the single value "staging-a": write it as a list, e.g. [staging-a], or one "- item" per line',
    ]);
  });

  it('a list of target accounts given as one name does not add a second, false problem at the server that names it', () => {
    const text = edit('  targets:\n    - name: prod\n      accountId: "222222222222"\n', '  targets: prod\n')(edit('os: windows', 'os: windows\n            targetAccount: prod')(BASE));
    expect(problemsOf(text).map((p) => p.path)).toEqual(['accounts.targets']);
  });

  it('"P20M" is 20 months, and says where minutes go', () => {
    expect(at(BASE + 'runbook:\n  maxReplicationLag: P20M\n', 'runbook.maxReplicationLag')).toEqual([
      { file: 'f.yaml', line: 45, column: 22, path: 'runbook.maxReplicationLag', message: 'that is 20 months in ISO-8601 (an M before the T counts months); minutes go after the T: "PT20M", got "P20M"' },
    ]);
    expect(at(BASE + 'runbook:\n  maxReplicationLag: P2H\n', 'runbook.maxReplicationLag')[0].message).toBe('hours, minutes and seconds go after the T: "PT2H", got "P2H"');
    expect(at(BASE + 'runbook:\n  maxReplicationLag: 15 minutes\n', 'runbook.maxReplicationLag')[0].message).toBe('expected an ISO-8601 duration: 15 minutes is "PT15M", got "15 minutes"');
  });

  it('a bare number where a duration belongs says a duration in quotes is expected', () => {
    expect(at(BASE + 'runbook:\n  maxReplicationLag: 15\n', 'runbook.maxReplicationLag')[0].message).toBe('expected an ISO-8601 duration in quotes, e.g. "PT15M" for 15 minutes (a bare number has no unit), got number 15');
  });
});

describe('validate with several files', () => {
  it('checks every file given, reports each, and exits 2 when any is invalid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehost-validate-'));
    mkdirSync(join(dir, 'b'));
    const good = join(dir, 'a.yaml');
    const bad = join(dir, 'b', 'factory.yaml');
    writeFileSync(good, BASE);
    writeFileSync(bad, edit('region: eu-west-1', 'region: Europe')(BASE));
    const r = await cli(['validate', good, bad]);
    expect(r.code).toBe(2);
    expect(r.out).toContain(`${good}: valid (1 waves, 2 servers, Region eu-west-1)`);
    expect(r.err).toContain(`${bad}:3:9 region: expected an AWS Region name, e.g. "eu-west-1", got "Europe"`);
    expect(r.err).toContain('1 of 2 estate files are invalid');
    const both = await cli(['validate', good, good]);
    expect(both).toMatchObject({ code: 0, err: '' });
    expect(both.out.split('\n')).toHaveLength(2);
  });
});
