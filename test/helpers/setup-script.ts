import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Runs a setup Job's `run.sh` (its files as the Job mounts them) against a stub curl
 * that answers from a table: the first key found in curl's arguments gives the status and
 * body (default `200 {}`); `sleep` returns at once. The calls and the output are returned.
 */
export function runSetupScript(files: { [file: string]: string }, answers: { [urlPart: string]: string }): { code: number; calls: string[]; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'setup-'));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  // Every scratch file in a folder of the run's own: runs in parallel workers never share one.
  fs.mkdirSync(path.join(dir, 'tmp'));
  for (const [file, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, file), String(content).replace(/\/(setup|tmp)\//g, (_m, d) => (d === 'setup' ? `${dir}/` : `${dir}/tmp/`)));
  }
  // The stub: logs its arguments; for the first table entry found in them, writes the
  // body to --output and prints the status for --write-out, failing on >= 400 with --fail.
  const table = Object.entries(answers).map(([k, v]) => `${JSON.stringify(k)}) answer=${JSON.stringify(v)};;`).join('\n    ');
  fs.writeFileSync(path.join(bin, 'curl'), [
    '#!/usr/bin/env bash',
    `echo "$*" >> ${dir}/calls`,
    'args="$*"; out=/dev/null; fail=0; answer="200 {}"',
    'for key in ' + Object.keys(answers).map((k) => JSON.stringify(k)).join(' ') + '; do',
    '  case "$args" in *"$key"*) case "$key" in',
    `    ${table}`,
    '  esac; break;; esac',
    'done',
    'status=${answer%% *}; body=${answer#* }',
    'while [ $# -gt 0 ]; do case "$1" in --output) out=$2; shift;; --fail) fail=1;; esac; shift; done',
    'echo "$body" > "$out"',
    'case "$args" in *--write-out*) printf %s "$status";; esac',
    'if [ $fail = 1 ] && [ "$status" -ge 400 ]; then exit 22; fi',
    'exit 0',
  ].join('\n'), { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'sleep'), '#!/usr/bin/env bash\nexit 0\n', { mode: 0o755 });
  const result = spawnSync('bash', [path.join(dir, 'run.sh')], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf-8' });
  const calls = fs.existsSync(path.join(dir, 'calls')) ? fs.readFileSync(path.join(dir, 'calls'), 'utf-8').trim().split('\n') : [];
  return { code: result.status ?? -1, calls, output: result.stdout + result.stderr };
}
