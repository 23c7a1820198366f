import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Runs a Job's script against a fake cluster: a stub `curl` (a small Node program)
 * that plays the Kubernetes Secrets API and the Elasticsearch security API, with
 * state kept in a folder so that runs can follow each other, and stubs of
 * `elasticsearch-certutil` and `unzip` that make distinct fake PEM files.
 *
 * The stub answers as the real servers do for what the scripts use: Secrets are
 * created with POST (201, or 409 when the name exists, never replaced) and read with
 * GET (200 pretty-printed JSON, as the API server answers curl, or 404); a request
 * without the ServiceAccount's bearer token is 401. Elasticsearch calls need the
 * `elastic` password and the CA through `--config`, else 401.
 */
export interface FakeCluster {
  /** Folder of the state (Secrets, users, roles, tokens) and the call log. */
  readonly dir: string;
  /** The `elastic` password the Elasticsearch stub accepts. */
  readonly elasticPassword: string;
}

export interface FakeRun {
  readonly code: number;
  readonly output: string;
  /** Calls of this run: `METHOD URL`. */
  readonly calls: string[];
}

export interface StoredSecret {
  readonly namespace: string;
  readonly name: string;
  readonly labels: { [key: string]: string };
  /** Decoded data. */
  readonly data: { [key: string]: string };
}

const STUB_CURL = String.raw`#!/usr/bin/env node
const fs = require('fs');
const path = require('path');
const state = process.env.FAKE_STATE;
const args = process.argv.slice(2);
let method = 'GET', out, writeOut, body, url, config, failOnError = false, headers = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '-X') method = args[++i];
  else if (a === '--output') out = args[++i];
  else if (a === '--write-out') writeOut = args[++i];
  else if (a === '--data-binary') body = fs.readFileSync(args[++i].slice(1), 'utf-8');
  else if (a === '--config') config = fs.readFileSync(args[++i], 'utf-8');
  else if (a === '-H') { const h = args[++i]; headers.push(h.startsWith('@') ? fs.readFileSync(h.slice(1), 'utf-8').trim() : h); }
  else if (a === '--cacert' || a === '--max-time') i++;
  else if (a === '--fail') failOnError = true;
  else if (!a.startsWith('-')) url = a;
}
fs.appendFileSync(path.join(state, 'calls'), method + ' ' + url + '\n');
const db = JSON.parse(fs.readFileSync(path.join(state, 'db.json'), 'utf-8'));
const fail = JSON.parse(process.env.FAKE_FAIL || '{}');
let status = 200, answer = {};
const key = method + ' ' + url.replace(/^https:\/\/[^/]+/, '');
// A forced answer for a call, or for the creation of one Secret ('POST <path>#<name>').
const named = body && /"name":"([^"]+)"/.exec(body);
const forced = fail[key] || (named && fail[key + '#' + named[1]]);
if (forced) { status = forced; answer = { kind: 'Status', code: status }; }
else if (url.startsWith('https://kubernetes.default.svc/')) {
  if (!headers.includes('Authorization: Bearer fake-service-account-token')) { status = 401; }
  else {
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/]+))?$/.exec(url.slice('https://kubernetes.default.svc'.length));
    if (!m) { status = 404; }
    else if (method === 'GET' && m[2]) {
      const s = db.secrets[m[1] + '/' + m[2]];
      if (s) { answer = s; } else { status = 404; answer = { kind: 'Status', reason: 'NotFound' }; }
    } else if (method === 'POST' && !m[2]) {
      const s = JSON.parse(body);
      const id = m[1] + '/' + s.metadata.name;
      if (db.secrets[id]) { status = 409; answer = { kind: 'Status', reason: 'AlreadyExists' }; }
      else { s.metadata.namespace = m[1]; db.secrets[id] = s; status = 201; answer = s; }
    } else { status = 405; }
  }
} else if (url.startsWith(process.env.FAKE_ES)) {
  const p = url.slice(process.env.FAKE_ES.length);
  if (!config || !config.includes('user = "elastic:' + process.env.FAKE_ELASTIC_PASSWORD + '"') || !/cacert = "[^"]+"/.test(config)) { status = 401; }
  else if (p.startsWith('/_cluster/health')) { answer = { status: 'green' }; }
  else if (method === 'PUT' && p.startsWith('/_security/user/')) { db.users[p.slice(16)] = JSON.parse(body); answer = { created: true }; }
  else if (method === 'PUT' && p.startsWith('/_security/role/')) { db.roles[p.slice(16)] = JSON.parse(body); answer = { role: { created: true } }; }
  else if (method === 'PUT') { answer = { acknowledged: true }; }
  else if (p.startsWith('/_security/service/elastic/kibana/credential/token/')) {
    const name = p.slice(p.lastIndexOf('/') + 1);
    if (method === 'POST' && db.tokens[name]) { status = 409; }
    else if (method === 'POST') { db.tokens[name] = 'AAEAAWVsYXN0aWMva2liYW5h' + Object.keys(db.tokens).length + 'x' + name.length; answer = { created: true, token: { name, value: db.tokens[name] } }; }
    else if (method === 'DELETE') { answer = { found: !!db.tokens[name] }; delete db.tokens[name]; }
  } else { status = 404; }
} else { status = 404; }
fs.writeFileSync(path.join(state, 'db.json'), JSON.stringify(db));
// The API server pretty-prints JSON for curl.
if (out) fs.writeFileSync(out, JSON.stringify(answer, undefined, 2) + '\n');
if (writeOut) process.stdout.write(String(status));
process.exit(failOnError && status >= 400 ? 22 : 0);
`;

/** certutil stand-in: writes a "zip" (a JSON list of files) of distinct fake PEMs. */
const STUB_CERTUTIL = String.raw`#!/usr/bin/env node
const fs = require('fs');
const args = process.argv.slice(2);
const arg = (name) => args[args.indexOf(name) + 1];
const n = Date.now().toString(36) + Math.random().toString(36).slice(2);
let files;
if (args[0] === 'ca') files = { 'ca/ca.crt': 'CA-CERT ' + n, 'ca/ca.key': 'CA-KEY ' + n };
else {
  const name = /name: "([^"]+)"/.exec(fs.readFileSync(arg('--in'), 'utf-8'))[1];
  const dns = [...fs.readFileSync(arg('--in'), 'utf-8').matchAll(/- "([^"]+)"/g)].map((m) => m[1]);
  const ca = fs.readFileSync(arg('--ca-cert'), 'utf-8');
  files = { [name + '/' + name + '.crt']: 'CERT ' + n + ' signed by ' + ca + ' for ' + dns.join(','), [name + '/' + name + '.key']: 'KEY ' + n };
}
if (fs.existsSync(arg('--out'))) { console.error("Output file '" + arg('--out') + "' already exists"); process.exit(1); }
fs.writeFileSync(arg('--out'), JSON.stringify(files));
`;

const STUB_UNZIP = String.raw`#!/usr/bin/env node
const fs = require('fs');
const path = require('path');
const args = process.argv.slice(2);
const files = JSON.parse(fs.readFileSync(args.find((a) => !a.startsWith('-') && a !== args[args.indexOf('-d') + 1]), 'utf-8'));
const dir = args[args.indexOf('-d') + 1];
for (const [file, content] of Object.entries(files)) {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), content);
}
`;

/** A fresh fake cluster with no Secret. */
export function fakeCluster(elasticPassword = 'elastic-password-from-its-secret'): FakeCluster {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-cluster-'));
  fs.writeFileSync(path.join(dir, 'db.json'), JSON.stringify({ secrets: {}, users: {}, roles: {}, tokens: {} }));
  return { dir, elasticPassword };
}

/**
 * Runs `run.sh` of a Job's files in the fake cluster, with the paths the pod has
 * (/setup, /tmp, the ServiceAccount folder, certutil, mounted Secrets) moved into a
 * fresh folder, as a new pod would start.
 * @param mounts files of mounted Secrets, by absolute path in the pod
 */
export function runInFakeCluster(cluster: FakeCluster, files: { [file: string]: string }, options: {
  readonly elasticsearchUrl?: string;
  readonly mounts?: { [podPath: string]: string };
  /** Answers to force, by `METHOD /path`, or `POST <path>#<Secret name>` for one Secret (e.g. `{ 'POST /api/v1/namespaces/ns/secrets': 500 }`). */
  readonly fail?: { [call: string]: number };
} = {}): FakeRun {
  const pod = fs.mkdtempSync(path.join(cluster.dir, 'pod-'));
  for (const folder of ['bin', 'tmp', 'setup', 'sa']) fs.mkdirSync(path.join(pod, folder));
  fs.writeFileSync(path.join(pod, 'sa', 'token'), 'fake-service-account-token');
  fs.writeFileSync(path.join(pod, 'sa', 'ca.crt'), 'API SERVER CA');
  const moved: [string, string][] = [
    ['/var/run/secrets/kubernetes.io/serviceaccount', `${pod}/sa`],
    ['/usr/share/elasticsearch/bin/elasticsearch-certutil', `${pod}/bin/elasticsearch-certutil`],
    ['/setup/', `${pod}/setup/`],
    ['/tmp/', `${pod}/tmp/`],
    ...Object.keys(options.mounts ?? {}).map((p): [string, string] => [p, `${pod}/mounts${p}`]),
  ];
  const pattern = new RegExp(moved.map(([from]) => from.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'), 'g');
  const relocate = (text: string) => text.replace(pattern, (m) => (moved.find(([from]) => from === m) as [string, string])[1]);
  for (const [file, content] of Object.entries(files)) fs.writeFileSync(path.join(pod, 'setup', file), relocate(content));
  for (const [podPath, content] of Object.entries(options.mounts ?? {})) {
    fs.mkdirSync(path.dirname(`${pod}/mounts${podPath}`), { recursive: true });
    fs.writeFileSync(`${pod}/mounts${podPath}`, content);
  }
  for (const [name, content] of [['curl', STUB_CURL], ['elasticsearch-certutil', STUB_CERTUTIL], ['unzip', STUB_UNZIP], ['sleep', '#!/usr/bin/env bash\nexit 0\n']]) {
    fs.writeFileSync(path.join(pod, 'bin', name), content, { mode: 0o755 });
  }
  const before = fs.existsSync(path.join(cluster.dir, 'calls')) ? fs.readFileSync(path.join(cluster.dir, 'calls'), 'utf-8').split('\n').length - 1 : 0;
  const result = spawnSync('bash', [path.join(pod, 'setup', 'run.sh')], {
    env: {
      PATH: `${pod}/bin:${process.env.PATH}`,
      FAKE_STATE: cluster.dir,
      FAKE_ES: options.elasticsearchUrl ?? 'https://elasticsearch.security-logging.svc:9200',
      FAKE_ELASTIC_PASSWORD: cluster.elasticPassword,
      FAKE_FAIL: JSON.stringify(options.fail ?? {}),
    },
    encoding: 'utf-8',
  });
  const calls = fs.existsSync(path.join(cluster.dir, 'calls')) ? fs.readFileSync(path.join(cluster.dir, 'calls'), 'utf-8').trim().split('\n').slice(before) : [];
  return { code: result.status ?? -1, output: result.stdout + result.stderr, calls };
}

/** A copy of a fake cluster's state, to try something from the same start. */
export function cloneCluster(cluster: FakeCluster): FakeCluster {
  const copy = fakeCluster(cluster.elasticPassword);
  fs.copyFileSync(path.join(cluster.dir, 'db.json'), path.join(copy.dir, 'db.json'));
  return copy;
}

/** The Secrets in the fake cluster, decoded. */
export function secretsOf(cluster: FakeCluster): StoredSecret[] {
  const db = JSON.parse(fs.readFileSync(path.join(cluster.dir, 'db.json'), 'utf-8'));
  return Object.values(db.secrets).map((s: any) => ({
    namespace: s.metadata.namespace,
    name: s.metadata.name,
    labels: s.metadata.labels,
    data: Object.fromEntries(Object.entries(s.data).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString('utf-8')])),
  }));
}

/** Users, roles and service tokens the fake Elasticsearch holds. */
export function elasticsearchStateOf(cluster: FakeCluster): { users: any; roles: any; tokens: { [name: string]: string } } {
  const db = JSON.parse(fs.readFileSync(path.join(cluster.dir, 'db.json'), 'utf-8'));
  return { users: db.users, roles: db.roles, tokens: db.tokens };
}
