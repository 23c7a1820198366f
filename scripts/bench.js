#!/usr/bin/env node
// `npm run bench`: whole-process wall time and peak RSS of synthesis (median of
// RUNS runs after a warm-up), printed as a table and written to bench/results.json.
// Needs the built lib/ (npm run build) and GNU time (/usr/bin/time) for peak RSS.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));

/** A node program that builds `stacks` full stacks (distinct namespaces) in one app and synthesizes them. */
function stacksProgram(stacks) {
  return [
    "const { App } = require('cdk8s');",
    `const { SecurityLoggingChart } = require(${JSON.stringify(path.join(ROOT, 'lib', 'src'))});`,
    `const app = new App({ outdir: ${JSON.stringify(path.join(tmp, `stacks-${stacks}`))} });`,
    `for (let i = 0; i < ${stacks}; i++) new SecurityLoggingChart(app, 'stack-' + i, { namespace: 'seclog-' + i });`,
    'app.synth();',
  ].join('\n');
}

const CASES = [
  ['floor: cdk8s + cdk8s-plus-27, an empty chart', ['node', '-e', [
    "const { App, Chart } = require('cdk8s'); require('cdk8s-plus-27');",
    `const app = new App({ outdir: ${JSON.stringify(path.join(tmp, 'floor'))} }); new Chart(app, 'empty'); app.synth();`,
  ].join('\n')]],
  ['default app (node lib/src/main.js)', ['node', path.join(ROOT, 'lib', 'src', 'main.js')], { CDK8S_OUTDIR: path.join(tmp, 'default') }],
  ['1 stack', ['node', '-e', stacksProgram(1)]],
  ['10 stacks', ['node', '-e', stacksProgram(10)]],
  ['100 stacks', ['node', '-e', stacksProgram(100)]],
  ['cdk8s synth (CLI, end to end)', [path.join(ROOT, 'node_modules', '.bin', 'cdk8s'), 'synth', '--no-check-upgrade', '--output', path.join(tmp, 'cli')]],
];

function measure(command, env) {
  const result = spawnSync('/usr/bin/time', ['-f', '%e %M', ...command], {
    cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf-8', maxBuffer: 64 * 1024 ** 2,
  });
  if (result.status !== 0) throw new Error(`${command.join(' ').slice(0, 80)} failed: ${result.stderr.slice(-500)}`);
  const [seconds, kilobytes] = result.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { seconds, rssMiB: kilobytes / 1024 };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results = [];
for (const [name, command, env] of CASES) {
  measure(command, env); // warm-up
  const runs = Array.from({ length: RUNS }, () => measure(command, env));
  results.push({ name, runs: RUNS, wallSeconds: median(runs.map((r) => r.seconds)), peakRssMiB: Math.round(median(runs.map((r) => r.rssMiB))) });
  console.error(`measured ${name}`);
}

const byName = Object.fromEntries(results.map((r) => [r.name, r]));
const floor = byName['floor: cdk8s + cdk8s-plus-27, an empty chart'].wallSeconds;
const perStack = (n) => (byName[`${n} stack${n === 1 ? '' : 's'}`].wallSeconds - floor) / n;
const summary = {
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 1024 ** 3), node: process.version, platform: `${os.platform()} ${os.release()}` },
  results,
  ratios: {
    defaultAppOverFloor: +(byName['default app (node lib/src/main.js)'].wallSeconds / floor).toFixed(2),
    perStackSeconds10: +perStack(10).toFixed(3),
    perStackSeconds100: +perStack(100).toFixed(3),
    perStack100Over10: +(perStack(100) / perStack(10)).toFixed(2),
  },
};
fs.mkdirSync(path.join(ROOT, 'bench'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'bench', 'results.json'), JSON.stringify(summary, undefined, 2) + '\n');
console.log('| case | wall (median of ' + RUNS + ') | peak RSS |');
console.log('|---|---|---|');
for (const r of results) console.log(`| ${r.name} | ${r.wallSeconds.toFixed(2)} s | ${r.peakRssMiB} MiB |`);
console.log(`\ndefault app / floor: ${summary.ratios.defaultAppOverFloor}x; per stack: ${summary.ratios.perStackSeconds10} s at 10, ${summary.ratios.perStackSeconds100} s at 100 (${summary.ratios.perStack100Over10}x)`);
console.log(`machine: ${summary.machine.cpus} CPUs (${summary.machine.cpu}), ${summary.machine.memoryGiB} GiB, node ${summary.machine.node}`);
fs.rmSync(tmp, { recursive: true, force: true });
