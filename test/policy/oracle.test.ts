import { writeFileSync } from 'node:fs';
import { EstateOracle, EXAMPLES, grantedActions, runEstateOracle } from './oracle';

jest.setTimeout(1_800_000);
const oracles: Array<EstateOracle & { stop(): Promise<void> }> = [];
beforeAll(async () => {
  oracles.push(...(await Promise.all(EXAMPLES.filter((e) => !process.env.ORACLE_ONLY || e.label === process.env.ORACLE_ONLY).map((e) => runEstateOracle(e)))));
}, 1_800_000);
afterAll(async () => Promise.all(oracles.map((o) => o.stop())));

test('report', async () => {
  const lines: string[] = [];
  for (const o of oracles) {
    lines.push(`== ${o.label} ${JSON.stringify(o.seconds)}`);
    lines.push(...o.unmapped.map((u) => `UNMAPPED ${u}`));
    const seen = new Set<string>();
    for (const [a, v] of o.verdicts) {
      if (v.allowed) continue;
      const k = `${a.principal.arn} ${a.action} ${a.resource} ${v.result}`;
      if (seen.has(k)) continue;
      seen.add(k);
      lines.push(`DENY ${a.principal.arn.split(':').pop()} ${a.action} ${a.resource} ${v.result} [${a.source}${a.derived ? ` ${a.derived}` : ''}] ${JSON.stringify(a.context).slice(0, 400)}`);
    }
    for (const role of [...o.model.roles.keys()].filter((r) => !/aws-service-role|Administrator/.test(r))) {
      const granted = await grantedActions(o.model, role);
      const observed = new Set([...o.verdicts.keys()].filter((a) => a.principal.arn === role).map((a) => a.action.toLowerCase()));
      const unobserved = [...granted.keys()].filter((g) => !observed.has(g));
      lines.push(`ROLE ${role} granted ${granted.size} observed ${observed.size} unobserved: ${unobserved.join(' ')}`);
    }
  }
  writeFileSync('/tmp/oracle/report.txt', lines.join('\n'));
});
