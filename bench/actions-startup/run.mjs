// Start-up of the action bundles (actions/<name>/dist/index.js): each action runs once per server
// per wave, so what it costs to start is paid hundreds of times a wave.
//
//   node_modules/.bin/node bench/actions-startup/run.mjs [runs=9] [label=actionsDir ...]
//
// For every action and every actions directory given (default: current=actions), median of `runs`
// runs, one after another, round-robin across actions and directories so that changing load
// affects them alike:
// - bundle size;
// - first output: from spawn() to the first byte on stdout or stderr, the action run without any
//   INPUT_* (it loads its bundle, reads its inputs and fails the step on the first missing one);
// - first AWS connection (wave-plan, server-cutover, vm-import): valid inputs on
//   examples/factory.yaml, every AWS endpoint at a local TCP listener; the time from spawn() to the
//   listener's first accepted connection (bundle loaded, estate parsed, clients built, first request
//   sent), after which the action is killed;
// - CPU (user + system) of the first-output runs, less sensitive to other load than wall time.
// The actions are run by the node that runs this script: run it with Node 24 (node_modules/.bin/node,
// the node of `npm run`), the runtime of `runs.using: node24`.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ACTIONS = ['plan-review', 'wave-plan', 'server-cutover', 'wave-report', 'vm-import'];
const CONNECTING = new Set(['wave-plan', 'server-cutover', 'vm-import']);

const [runsArg, ...variantArgs] = process.argv.slice(2);
const runs = Number(runsArg ?? 9);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a whole number ≥ 1, got "${runsArg}"`);
if (process.versions.node.split('.')[0] !== '24') throw new Error(`run with Node 24 (node_modules/.bin/node), the actions' runtime; this is ${process.version}`);
const variants = (variantArgs.length ? variantArgs : ['current=actions']).map((v) => {
  const [label, dir] = v.split('=');
  if (!label || !dir) throw new Error(`expected label=actionsDir, got "${v}"`);
  return { label, dir: resolve(ROOT, dir) };
});

const work = mkdtempSync(join(tmpdir(), 'actions-startup-'));
const config = join(ROOT, 'examples', 'factory.yaml');
const AWS_INPUTS = {
  'wave-plan': { config, wave: 'wave-1', mode: 'test' },
  'server-cutover': { config, wave: 'wave-1', mode: 'test', server: 'web01' },
  'vm-import': { config, 's3-key': 'images/web01.vmdk', format: 'vmdk', os: 'linux', server: 'web01' },
};

// The AWS endpoint: a listener that records the first connection of the run in progress.
let onConnect = () => {};
const listener = createServer((socket) => {
  onConnect();
  socket.destroy();
});
await new Promise((r) => listener.listen(0, '127.0.0.1', r));
const endpoint = `http://127.0.0.1:${listener.address().port}`;
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** One run of node with these arguments and inputs; resolves to seconds to first output / connection and CPU. */
function once(nodeArgs, inputs, aws) {
  const out = join(work, 'output');
  const summary = join(work, 'summary');
  const timeFile = join(work, 'time');
  writeFileSync(out, '');
  writeFileSync(summary, '');
  writeFileSync(timeFile, '');
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_OUTPUT: out, GITHUB_STEP_SUMMARY: summary };
  if (aws) Object.assign(env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: endpoint, AWS_MAX_ATTEMPTS: '1' });
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const [cmd, args] = timeBin ? [timeBin, ['-f', '%U %S', '-o', timeFile, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    let first;
    let firstLine = '';
    let connected;
    const child = spawn(cmd, args, { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const seconds = (t) => Number(t - t0) / 1e9;
    onConnect = () => {
      if (connected !== undefined || !aws) return;
      connected = process.hrtime.bigint();
      process.kill(-child.pid, 'SIGKILL');
    };
    const onData = (d) => {
      if (first !== undefined) return;
      first = process.hrtime.bigint();
      firstLine = d.toString().split('\n')[0];
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', rej);
    child.on('close', (code) => {
      const end = process.hrtime.bigint();
      if (aws && connected === undefined) return rej(new Error(`${nodeArgs.join(' ')} exited (${code}) without connecting to AWS; first line: ${firstLine}`));
      const cpu = timeBin && !aws ? readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number) : undefined;
      res({ first: seconds(first ?? end), connect: connected === undefined ? undefined : seconds(connected), cpu: cpu ? cpu[0] + cpu[1] : undefined, firstLine, code });
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs) => (xs.length ? `${median(xs).toFixed(3)} (${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)})` : '-');
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');

console.log(`node ${process.version} ${process.execPath}, ${cpus().length} CPUs, ${runs} runs round-robin, load average at start ${load()}, ${new Date().toISOString()}`);
const results = new Map();
const record = (key, r) => results.set(key, [...(results.get(key) ?? []), r]);
for (let i = 0; i < runs; i++) {
  record('bare', await once(['-e', 'console.log(1)'], {}, false));
  for (const name of ACTIONS) {
    for (const v of variants) {
      const file = join(v.dir, name, 'dist', 'index.js');
      record(`${name}|${v.label}|first`, await once([file], {}, false));
      if (CONNECTING.has(name)) record(`${name}|${v.label}|aws`, await once([file], AWS_INPUTS[name], true));
    }
  }
}
listener.close();
console.log(`load average at end ${load()}`);
console.log('');
console.log('| action | variant | bundle MB | first output s, median (min-max) | CPU s, median | first AWS connection s, median (min-max) | first line |');
console.log('|---|---|---|---|---|---|---|');
const bare = results.get('bare').map((r) => r.first);
console.log(`| \`node -e 'console.log(1)'\` | - | - | ${fmt(bare)} | - | - | - |`);
for (const name of ACTIONS) {
  for (const v of variants) {
    const firsts = results.get(`${name}|${v.label}|first`);
    const aws = results.get(`${name}|${v.label}|aws`) ?? [];
    const cpu = firsts.map((r) => r.cpu).filter((c) => c !== undefined);
    const size = statSync(join(v.dir, name, 'dist', 'index.js')).size / 1e6;
    const line = firsts[0].firstLine.slice(0, 60).replace(/\|/g, '\\|');
    console.log(`| ${name} | ${v.label} | ${size.toFixed(2)} | ${fmt(firsts.map((r) => r.first))} | ${cpu.length ? median(cpu).toFixed(3) : '-'} | ${fmt(aws.map((r) => r.connect))} | \`${line}\` |`);
  }
}
