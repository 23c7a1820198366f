#!/usr/bin/env node
// `npm run bench`: whole-process wall time and peak RSS of synthesis (median of
// RUNS runs after a warm-up, taken in rounds over the cases), printed as a table and
// written to bench/results.json.
// Needs the built lib/ (npm run build) and GNU time (/usr/bin/time) for peak RSS.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { parseAllDocuments } = require('yaml');

if (!fs.existsSync('/usr/bin/time')) {
  throw new Error('npm run bench needs GNU time at /usr/bin/time for peak RSS (Debian/Ubuntu: apt-get install time)');
}

const ROOT = path.join(__dirname, '..');
const LIB = JSON.stringify(path.join(ROOT, 'lib', 'src'));
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
const out = (name) => JSON.stringify(path.join(tmp, name));

/** A node program that builds `stacks` full stacks (distinct namespaces) in one app and synthesizes them. */
function stacksProgram(stacks) {
  return [
    "const { App } = require('cdk8s');",
    `const { SecurityLoggingChart } = require(${LIB});`,
    `const app = new App({ outdir: ${out(`stacks-${stacks}`)} });`,
    `for (let i = 0; i < ${stacks}; i++) new SecurityLoggingChart(app, 'stack-' + i, { namespace: 'seclog-' + i });`,
    'app.synth();',
  ].join('\n');
}

/** The same stacks, each in an App of its own with its own output folder (one per cluster). */
function appPerStackProgram(stacks) {
  return [
    "const { App } = require('cdk8s');",
    `const { SecurityLoggingChart } = require(${LIB});`,
    `for (let i = 0; i < ${stacks}; i++) {`,
    `  const app = new App({ outdir: require('path').join(${out('apps')}, 'cluster-' + i) });`,
    "  new SecurityLoggingChart(app, 'security-logging');",
    '  app.synth();',
    '}',
  ].join('\n');
}

/**
 * cdk8s's own cost for the default app's output: its manifests, read back from YAML,
 * as plain ApiObjects in charts of the same names.
 */
function plainManifestsProgram() {
  const folder = path.join(tmp, 'manifests');
  run(['node', path.join(ROOT, 'lib', 'src', 'main.js')], { CDK8S_OUTDIR: folder });
  const charts = Object.fromEntries(fs.readdirSync(folder).filter((f) => f.endsWith('.k8s.yaml')).map((file) => [
    file.replace(/\.k8s\.yaml$/, ''),
    parseAllDocuments(fs.readFileSync(path.join(folder, file), 'utf-8')).map((doc) => doc.toJSON()),
  ]));
  fs.writeFileSync(path.join(tmp, 'manifests.json'), JSON.stringify(charts));
  return [
    "const { ApiObject, App, Chart } = require('cdk8s'); require('cdk8s-plus-27');",
    `const charts = JSON.parse(require('fs').readFileSync(${out('manifests.json')}, 'utf-8'));`,
    `const app = new App({ outdir: ${out('plain')} });`,
    'for (const [name, objects] of Object.entries(charts)) {',
    '  const chart = new Chart(app, name);',
    "  objects.forEach((object, i) => new ApiObject(chart, 'Object' + i, object));",
    '}',
    'app.synth();',
  ].join('\n');
}

/**
 * A project as `cdk8s init typescript-app` makes it: its tsconfig.json, a main.ts that
 * synthesizes the default stack from the built library, and `app: npx ts-node main.ts`.
 */
function tsNodeProject() {
  const dir = path.join(tmp, 'ts-node-app');
  fs.mkdirSync(dir);
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  fs.copyFileSync(path.join(ROOT, 'node_modules', 'cdk8s-cli', 'templates', 'typescript-app', 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), 'language: typescript\napp: npx ts-node main.ts\n');
  fs.writeFileSync(path.join(dir, 'main.ts'), [
    "import { App } from 'cdk8s';",
    `import { SecurityLoggingChart } from ${LIB};`,
    '',
    'const app = new App();',
    "new SecurityLoggingChart(app, 'security-logging');",
    'app.synth();',
    '',
  ].join('\n'));
  return dir;
}

const FLOOR = 'floor: cdk8s + cdk8s-plus-27, an empty chart';
const DEFAULT_APP = 'default app (node lib/src/main.js)';
const PLAIN = 'cdk8s alone: the default app\'s manifests as plain ApiObjects';
const CASES = [
  [FLOOR, ['node', '-e', [
    "const { App, Chart } = require('cdk8s'); require('cdk8s-plus-27');",
    `const app = new App({ outdir: ${out('floor')} }); new Chart(app, 'empty'); app.synth();`,
  ].join('\n')]],
  [PLAIN, ['node', '-e', plainManifestsProgram()]],
  [DEFAULT_APP, ['node', path.join(ROOT, 'lib', 'src', 'main.js')], { CDK8S_OUTDIR: path.join(tmp, 'default') }],
  ['1 stack', ['node', '-e', stacksProgram(1)]],
  ['10 stacks', ['node', '-e', stacksProgram(10)]],
  ['100 stacks', ['node', '-e', stacksProgram(100)]],
  ['200 stacks', ['node', '-e', stacksProgram(200)]],
  ['100 stacks, an App each', ['node', '-e', appPerStackProgram(100)]],
  ['200 stacks, an App each', ['node', '-e', appPerStackProgram(200)]],
  ['cdk8s synth (CLI, end to end)', [path.join(ROOT, 'node_modules', '.bin', 'cdk8s'), 'synth', '--no-check-upgrade', '--output', path.join(tmp, 'cli')]],
  ['cdk8s synth, ts-node app (cdk8s init template)', [path.join(ROOT, 'node_modules', '.bin', 'cdk8s'), 'synth', '--no-check-upgrade', '--output', path.join(tmp, 'ts-node-dist')], {}, tsNodeProject()],
];

/** Runs a command; throws with its output when it fails. */
function run(command, env, cwd = ROOT) {
  const result = spawnSync(command[0], command.slice(1), {
    cwd, env: { ...process.env, ...env }, encoding: 'utf-8', maxBuffer: 64 * 1024 ** 2,
  });
  if (result.status !== 0) throw new Error(`${command.join(' ').slice(0, 80)} failed: ${(result.stderr ?? '').slice(-500)}`);
  return result;
}

function measure(command, env, cwd) {
  const result = run(['/usr/bin/time', '-f', '%e %U %S %M', ...command], env, cwd);
  const [seconds, user, system, kilobytes] = result.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { seconds, cpuSeconds: user + system, rssMiB: kilobytes / 1024 };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
// Rounds over all cases, so that a slow spell of the machine hits every case alike;
// the first round is the warm-up.
const samples = CASES.map(() => []);
for (let round = 0; round <= RUNS; round++) {
  CASES.forEach(([, command, env, cwd], i) => {
    const sample = measure(command, env, cwd);
    if (round > 0) samples[i].push(sample);
  });
  console.error(round === 0 ? 'warmed up' : `round ${round} of ${RUNS}`);
}
const results = CASES.map(([name], i) => ({
  name, runs: RUNS,
  wallSeconds: median(samples[i].map((r) => r.seconds)),
  // CPU time (user + system) varies less than wall time on a shared machine.
  cpuSeconds: +median(samples[i].map((r) => r.cpuSeconds)).toFixed(2),
  peakRssMiB: Math.round(median(samples[i].map((r) => r.rssMiB))),
}));

// Loading the library alone, timed inside the process once cdk8s and cdk8s-plus-27
// are loaded: too short for whole-process timing to resolve.
const LOAD_PROGRAM = [
  "require('cdk8s'); require('cdk8s-plus-27');",
  'const start = process.hrtime.bigint();',
  `require(${LIB});`,
  'console.log(Number(process.hrtime.bigint() - start) / 1e6);',
].join('\n');
const libraryLoadMilliseconds = +median(Array.from({ length: 15 }, () => Number(run(['node', '-e', LOAD_PROGRAM]).stdout))).toFixed(1);

const result = (name) => results.find((r) => r.name === name);
const wall = (name) => result(name).wallSeconds;
const floor = wall(FLOOR);
const stacks = (n) => wall(`${n} stack${n === 1 ? '' : 's'}`);
const perStack = (n) => (stacks(n) - floor) / n;
const summary = {
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 1024 ** 3), node: process.version, platform: `${os.platform()} ${os.release()}` },
  results,
  libraryLoadMilliseconds,
  ratios: {
    defaultAppOverFloor: +(wall(DEFAULT_APP) / floor).toFixed(2),
    defaultAppOverFloorCpu: +(result(DEFAULT_APP).cpuSeconds / result(FLOOR).cpuSeconds).toFixed(2),
    plainManifestsOverFloor: +(wall(PLAIN) / floor).toFixed(2),
    // Average cost of a stack above the floor, at 10 and at 100 stacks in one app.
    perStackSeconds10: +perStack(10).toFixed(3),
    perStackSeconds100: +perStack(100).toFixed(3),
    perStack100Over10: +(perStack(100) / perStack(10)).toFixed(2),
    // Marginal cost: what each stack from 2 to 10, from 11 to 100 and from 101 to 200 added.
    marginalSeconds1To10: +((stacks(10) - stacks(1)) / 9).toFixed(3),
    marginalSeconds10To100: +((stacks(100) - stacks(10)) / 90).toFixed(3),
    marginalSeconds100To200: +((stacks(200) - stacks(100)) / 100).toFixed(3),
    // The same with an App per stack.
    marginalSecondsAppEach100To200: +((wall('200 stacks, an App each') - wall('100 stacks, an App each')) / 100).toFixed(3),
  },
};
fs.mkdirSync(path.join(ROOT, 'bench'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'bench', 'results.json'), JSON.stringify(summary, undefined, 2) + '\n');
console.log('| case | wall (median of ' + RUNS + ') | CPU | peak RSS |');
console.log('|---|---|---|---|');
for (const r of results) console.log(`| ${r.name} | ${r.wallSeconds.toFixed(2)} s | ${r.cpuSeconds.toFixed(2)} s | ${r.peakRssMiB} MiB |`);
const ratios = summary.ratios;
console.log(`\ndefault app / floor: ${ratios.defaultAppOverFloor}x wall, ${ratios.defaultAppOverFloorCpu}x CPU (cdk8s alone, same manifests: ${ratios.plainManifestsOverFloor}x wall)`);
console.log(`per stack: ${ratios.perStackSeconds10} s at 10, ${ratios.perStackSeconds100} s at 100 (${ratios.perStack100Over10}x);`
  + ` marginal ${ratios.marginalSeconds1To10} s (2-10), ${ratios.marginalSeconds10To100} s (11-100), ${ratios.marginalSeconds100To200} s (101-200);`
  + ` an App each: ${ratios.marginalSecondsAppEach100To200} s (101-200)`);
console.log(`loading the library (in process, after cdk8s; median of 15): ${libraryLoadMilliseconds} ms`);
console.log(`machine: ${summary.machine.cpus} CPUs (${summary.machine.cpu}), ${summary.machine.memoryGiB} GiB, node ${summary.machine.node}`);
fs.rmSync(tmp, { recursive: true, force: true });
