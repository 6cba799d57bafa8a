import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/tools';
import { anchorsOf, brokenLinks, githubSlug, markdownFiles } from './markdown-links';

describe('links in README.md and docs/', () => {
  it('every relative link and #anchor resolves', () => {
    const files = ['README.md', ...markdownFiles(ROOT, 'docs')];
    expect(files.length).toBeGreaterThan(10);
    const broken = brokenLinks(ROOT, files).map((b) => `${b.file}:${b.line} (${b.target}): ${b.reason}`);
    expect(broken).toEqual([]);
  });
});

describe('the link checker', () => {
  it('slugs headings as GitHub does', () => {
    expect(githubSlug('AMI re-encryption (`automation.amiReEncryption`, on by default)')).toBe('ami-re-encryption-automationamireencryption-on-by-default');
    expect(githubSlug('The policy oracle (`test/infra/policy/`)')).toBe('the-policy-oracle-testinfrapolicy');
    expect(githubSlug('Changes in <code>network</code>')).toBe('changes-in-network');
    expect(githubSlug('From a terminal, and rehearsals')).toBe('from-a-terminal-and-rehearsals');
    expect(githubSlug('Pull-request flow: plan review and apply')).toBe('pull-request-flow-plan-review-and-apply');
    expect(githubSlug('What `validate` refuses before AWS would')).toBe('what-validate-refuses-before-aws-would');
    expect([...anchorsOf('# A\n## Notes\n```\n# not a heading\n```\n## Notes\n> ### Quoted\n')]).toEqual(['a', 'notes', 'notes-1', 'quoted']);
  });

  it('reports a missing file, a missing anchor and a missing same-file anchor, and ignores code and URLs', () => {
    const root = mkdtempSync(join(tmpdir(), 'links-'));
    mkdirSync(join(root, 'docs'));
    writeFileSync(join(root, 'docs', 'a.md'), '# Title\n\n## Real section\n');
    writeFileSync(join(root, 'README.md'), [
      '# Readme',
      '[ok](docs/a.md) [ok too](docs/a.md#real-section) [self](#readme) [web](https://example.com/x.md)',
      '[gone](docs/missing.md)',
      '[no anchor](docs/a.md#imagined-section)',
      '[no local anchor](#nowhere)',
      '`[in code](docs/also-missing.md)`',
      '```',
      '[in a fence](docs/fenced-missing.md)',
      '```',
      '[ref]: docs/ref-missing.md',
    ].join('\n'));
    expect(brokenLinks(root, ['README.md', 'docs/a.md']).map((b) => [b.line, b.target, b.reason])).toEqual([
      [3, 'docs/missing.md', 'docs/missing.md does not exist'],
      [4, 'docs/a.md#imagined-section', 'docs/a.md has no heading with the anchor #imagined-section'],
      [5, '#nowhere', 'README.md has no heading with the anchor #nowhere'],
      [10, 'docs/ref-missing.md', 'docs/ref-missing.md does not exist'],
    ]);
  });
});
