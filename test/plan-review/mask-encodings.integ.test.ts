import fc from 'fast-check';
import { loadFixture } from '../../bench/plan-review/generate-plan';
import { base64Forms, MIN_BASE64_SCRUB_LENGTH, Scrubber, SENSITIVE_TEXT } from '../../src/plan-review/mask';
import { parsePlan } from '../../src/plan-review/plan';
import { reviewPlans, StackPlan } from '../../src/plan-review/review';
import { sensitiveLeaks } from './checks';

/**
 * Copies of a sensitive value that configuration encodes before it reaches an attribute nobody
 * marks sensitive: base64 (user data, `base64encode`), another letter case, percent-encoding (a URL
 * or connection string). The leak check (checks.ts) finds them by decoding the rendered review, not
 * by encoding the secret as src/ does.
 */
const stack = (name: string, plan: unknown): StackPlan => ({ name, plan: parsePlan(JSON.stringify(plan), name) });
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

describe('masking encoded copies of a sensitive value (real plans)', () => {
  // borchero's real plan marks local_file.test's content "foobar-42" sensitive (from its sensitive
  // variable); a password with characters a URL escapes goes in its sensitive_content, as a
  // sensitive variable would put it there.
  const SECRET = 'foobar-42';
  const PASSWORD = 'p@ss w0rd/é';
  const files = clone(loadFixture('borchero-replace-sensitive.json'));
  const test = files.resource_changes.find((rc: any) => rc.address === 'local_file.test');
  test.change.after.sensitive_content = PASSWORD;
  const script = `#!/bin/bash\nexport DB_PASSWORD=${SECRET}\nsystemctl restart app\n`;

  /** snyk's real S3 plan, whose non-sensitive attributes carry the copies. */
  function network(copies: Record<string, string>) {
    const plan = clone(loadFixture('snyk-aws-mixed-drift.json'));
    const created = plan.resource_changes.find((rc: any) => rc.change.actions[0] === 'create');
    created.change.after.tags = copies;
    return plan;
  }
  const copies = {
    user_data: Buffer.from(script).toString('base64'),
    user_data_offset1: Buffer.from(`#${script}`).toString('base64'),
    user_data_offset2: Buffer.from(`##${script}`).toString('base64'),
    url_safe: Buffer.from(`${SECRET}?>`).toString('base64url'),
    whole: Buffer.from(SECRET).toString('base64'),
    upper: `password ${SECRET.toUpperCase()}`,
    url: `postgres://app:${encodeURIComponent(PASSWORD)}@db.internal:5432/app`,
    form: `password=${encodeURIComponent(PASSWORD).replace(/%20/g, '+')}&user=app`,
    uri: `https://host/${encodeURI(PASSWORD)}`,
  };

  it('each copy shows unmasked when the plan that marks it sensitive is not reviewed with it, and the leak check finds it', () => {
    expect(test.change.after.content).toBe(SECRET);
    expect(test.change.after_sensitive).toMatchObject({ content: true, sensitive_content: true });
    const plan = network(copies);
    const text = reviewPlans([stack('network', plan)]).comments.join('\n');
    for (const v of Object.values(copies)) expect(text).toContain(v);
    const leaks = (copy: keyof typeof copies) => [...new Set(sensitiveLeaks([plan, files], [`+ tags.${copy} = "${copies[copy]}"`]))];
    for (const copy of ['user_data', 'user_data_offset1', 'user_data_offset2', 'url_safe', 'whole'] as const) expect({ copy, leaks: leaks(copy) }).toEqual({ copy, leaks: ['local_file.test content: value appears base64-encoded in a comment'] });
    expect(leaks('upper')).toEqual(['local_file.test content: value appears in a comment in another letter case']);
    for (const copy of ['url', 'form', 'uri'] as const) expect({ copy, leaks: leaks(copy) }).toEqual({ copy, leaks: ['local_file.test sensitive_content: value appears percent-encoded in a comment'] });
  });

  it('reviewed together, every copy is masked, and the rest of each value stays readable', () => {
    const plan = network(copies);
    const { comments } = reviewPlans([stack('network', plan), stack('files', files)]);
    const text = comments.join('\n');
    expect(sensitiveLeaks([plan, files], comments)).toEqual([]);
    const line = (copy: string) => new RegExp(`^\\+ tags\\.${copy} += "(.*)"$`, 'm').exec(text)?.[1];
    expect(line('upper')).toBe('password (sensitive value)');
    expect(line('url')).toBe('postgres://app:(sensitive value)@db.internal:5432/app');
    expect(line('form')).toBe('password=(sensitive value)&user=app');
    expect(line('uri')).toBe('https://host/(sensitive value)');
    expect(line('whole')).toBe('(sensitive value)');
    // The user data before and after the secret still reads: only the secret's own characters go.
    const [head, tail] = line('user_data')!.split('(sensitive value)');
    expect(Buffer.from(head, 'base64').toString()).toMatch(/^#!\/bin\/bash\nexport DB_PASSWORD=/);
    expect(tail.length).toBeGreaterThan(8);
  });

  it('base64 that does not hold a secret is left alone (the real plan\'s file hashes)', () => {
    const text = reviewPlans([stack('files', files)]).comments.join('\n');
    const before = test.change.before;
    expect(text).toContain(`! content_base64sha256 = "${before.content_base64sha256}" -> (known after apply)`);
    expect(text).toContain(`! content_base64sha512 = "${before.content_base64sha512}" -> (known after apply)`);
  });

  it('any secret inside any base64 data, at any offset, in either alphabet: masked so that no decoding of the review holds it', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 6, maxLength: 40, unit: 'binary' }), fc.uint8Array({ maxLength: 7 }), fc.uint8Array({ maxLength: 7 }), fc.boolean(), (secret, before, after, urlSafe) => {
        const bytes = Buffer.concat([Buffer.from(before), Buffer.from(secret, 'utf8'), Buffer.from(after)]);
        const encoded = bytes.toString(urlSafe ? 'base64url' : 'base64');
        const scrubbed = new Scrubber([secret]).scrub(`user_data = "${encoded}"`);
        const leaks = sensitiveLeaks({ variables: { s: { value: secret } }, configuration: { root_module: { variables: { s: { sensitive: true } } } } }, [scrubbed]);
        // The characters that encode only the secret's bits, at its offset: shorter than the minimum, not masked.
        const offset = before.length % 3;
        const core = Math.floor((offset + Buffer.byteLength(secret)) / 3) * 4 - [0, 2, 3][offset];
        return core < MIN_BASE64_SCRUB_LENGTH || !leaks.some((l) => l.includes('base64'));
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('the gap: a 6-byte secret at offset 2 inside longer base64 is not masked; at offsets 0 and 1, and 7 bytes at any offset, it is', () => {
    expect(base64Forms('s3cr3t').every((f) => f.length >= MIN_BASE64_SCRUB_LENGTH)).toBe(true);
    const masked = (secret: string, offset: number) => new Scrubber([secret]).scrub(Buffer.concat([Buffer.alloc(offset, 0x41), Buffer.from(secret), Buffer.from('!')]).toString('base64')).includes(SENSITIVE_TEXT);
    expect([0, 1, 2].map((o) => masked('s3cr3t', o))).toEqual([true, true, false]);
    expect([0, 1, 2].map((o) => masked('s3cr3t7', o))).toEqual([true, true, true]);
    // An upper-cased encoding is not the secret's: base64 is matched with its case.
    expect(new Scrubber(['s3cr3t7']).scrub(Buffer.from('s3cr3t7').toString('base64').toUpperCase())).not.toContain(SENSITIVE_TEXT);
  });
});
