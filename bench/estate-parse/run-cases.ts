const root = process.argv[2];
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { runCli } = require(require("node:path").join(root, "src/cli"));
const P = '/work/wt/bad-input/test/fixtures/terraform-plans';
const cases: string[][] = [
  ['validate', 'cp1252.yaml'],
  ['validate', 'base.yaml', 'p20m.yaml'],
  ['validate', 'resip.yaml'],
  ['validate', 'tags46.yaml'],
  ['validate', 'longname.yaml'],
  ['validate', 'bigwave.yaml'],
  ['validate', 'bomb.yaml'],
  ['synth', '--config', 'base.yaml', '--out', 'notes.txt'],
  ['plan-review', `${P}/borchero-empty.json`, '--out', 'notes.txt'],
  ['mgn', 'init', '--config', 'base.yaml', '--region', 'Europe'],
  ['validate', 'huge.yaml'],
  ['validate', 'empty.yaml'],
  ['validate', 'binary.yaml'],
  ['validate', 'tagkeys.yaml'],
  ['validate', 'strlist.yaml'],
  ['validate', 'multi.yaml'],
  ['validate', 'p20m.yaml'],
  ['validate', 'bare.yaml'],
  ['plan-compare', `${P}/borchero-create-300.json`, 'plans'],
  ['plan-review', 'plans', '--out', 'review-out'],
];
(async () => {
  for (const args of cases) {
    const lines: string[] = [];
    const t = Date.now();
    const code = await runCli(args, { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) });
    const text = lines.join('\n');
    console.log(`$ rehost-factory ${args.join(' ')}   -> exit ${code} (${Date.now() - t} ms)\n${text.length > 900 ? text.slice(0, 900) + ' […]' : text}\n`);
  }
})();
