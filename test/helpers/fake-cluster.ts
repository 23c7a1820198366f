import { spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { simulate } from './ingest-model';

/**
 * Runs a Job's script against a fake cluster: a stub `curl` that plays the Kubernetes
 * Secrets API and the Elasticsearch security API, with state kept in a folder so that
 * runs can follow each other, and stubs of `elasticsearch-certutil` and `unzip` that
 * make distinct fake PEM files.
 *
 * Each stub is a few lines of bash that hand their name, working directory and
 * arguments to a server in the test process (over bash's /dev/tcp) and print its
 * answer: a script makes dozens of calls, and starting a Node process per call cost
 * most of the test run.
 *
 * The stub answers as the real servers do for what the scripts use: Secrets are
 * created with POST (201, or 409 when the name exists, never replaced) and read with
 * GET (200 pretty-printed JSON, as the API server answers curl, or 404); a request
 * without the ServiceAccount's bearer token is 401. Elasticsearch calls need the
 * `elastic` password and the CA through `--config`, else 401.
 */
export interface FakeCluster {
  /** Folder of the state: Secrets, users, roles and tokens. */
  readonly dir: string;
  /** The `elastic` password the Elasticsearch stub accepts. */
  readonly elasticPassword: string;
  /** Other users (setup credentials) the Elasticsearch stub accepts, with their passwords. */
  readonly users?: { [username: string]: string };
  /**
   * The role of each of those users that has one: a request it does not grant is 403, and
   * an API key it makes holds at most what the role holds. A user without one may do anything.
   */
  readonly roles?: { [username: string]: FakeRole };
}

/** A role as `PUT /_security/role` takes it. */
export interface FakeRole {
  readonly cluster: string[];
  readonly indices: { names: string[]; privileges: string[] }[];
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

/** What a stub prints and its exit code. */
interface StubAnswer {
  readonly code: number;
  readonly stdout?: string;
  readonly stderr?: string;
}

/** What a run tells its stubs: the cluster's state folder and its forced answers; the calls it made. */
interface RunContext {
  readonly cluster: FakeCluster;
  readonly elasticsearchUrl: string;
  /** The certificate is publicly trusted: calls without `cacert` are answered too. */
  readonly publicCa: boolean;
  readonly fail: { [call: string]: number };
  readonly calls: string[];
}

/**
 * The client every stub runs: sends `run id, stub name, cwd, args...` (NUL-separated,
 * after their count) and prints the answer `code, stdout, stderr` it gets back.
 */
const STUB_CLIENT = String.raw`#!/usr/bin/env bash
exec 3<>"/dev/tcp/127.0.0.1/$FAKE_PORT"
printf '%s\0' "$(( $# + 3 ))" "$FAKE_RUN" "${"$"}{0##*/}" "$PWD" "$@" >&3
IFS= read -r -d '' code <&3; IFS= read -r -d '' out <&3; IFS= read -r -d '' err <&3
printf '%s' "$out"; printf '%s' "$err" >&2
exit "$code"
`;

const readArg = (cwd: string, file: string) => fs.readFileSync(path.resolve(cwd, file), 'utf-8');

/** curl: the Kubernetes Secrets API and the Elasticsearch security API. */
function curl(run: RunContext, cwd: string, args: string[]): StubAnswer {
  const state = run.cluster.dir;
  let method = 'GET';
  let out: string | undefined;
  let writeOut = false;
  let body: string | undefined;
  let url = '';
  let config: string | undefined;
  let failOnError = false;
  const headers: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-X') method = args[++i];
    else if (a === '--output') out = args[++i];
    else if (a === '--write-out') writeOut = args[++i] !== undefined;
    else if (a === '--data-binary') body = readArg(cwd, args[++i].slice(1));
    else if (a === '--config') config = readArg(cwd, args[++i]);
    else if (a === '-H') { const h = args[++i]; headers.push(h.startsWith('@') ? readArg(cwd, h.slice(1)).trim() : h); }
    else if (a === '--cacert' || a === '--max-time') i++;
    else if (a === '--fail') failOnError = true;
    else if (!a.startsWith('-')) url = a;
  }
  run.calls.push(`${method} ${url}`);
  const db = JSON.parse(fs.readFileSync(path.join(state, 'db.json'), 'utf-8'));
  let status = 200;
  let answer: any = {};
  const key = `${method} ${url.replace(/^https:\/\/[^/]+/, '')}`;
  // A forced answer for a call, or for the creation of one Secret ('POST <path>#<name>').
  const named = body && /"name":"([^"]+)"/.exec(body);
  const forced = run.fail[key] || (named && run.fail[`${key}#${named[1]}`]);
  if (forced) {
    status = forced;
    answer = { kind: 'Status', code: status };
  } else if (url.startsWith('https://kubernetes.default.svc/')) {
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/]+))?$/.exec(url.slice('https://kubernetes.default.svc'.length));
    if (!headers.includes('Authorization: Bearer fake-service-account-token')) {
      status = 401;
    } else if (!m) {
      status = 404;
    } else if (method === 'GET' && m[2]) {
      const secret = db.secrets[`${m[1]}/${m[2]}`];
      if (secret) answer = secret;
      else { status = 404; answer = { kind: 'Status', reason: 'NotFound' }; }
    } else if (method === 'POST' && !m[2]) {
      const secret = JSON.parse(body ?? '{}');
      const id = `${m[1]}/${secret.metadata.name}`;
      if (db.secrets[id]) { status = 409; answer = { kind: 'Status', reason: 'AlreadyExists' }; }
      else { secret.metadata.namespace = m[1]; db.secrets[id] = secret; status = 201; answer = secret; }
    } else {
      status = 405;
    }
  } else if (url.startsWith(run.elasticsearchUrl)) {
    const p = url.slice(run.elasticsearchUrl.length);
    const tokenPath = '/_security/service/elastic/kibana/credential/token/';
    const principal = principalOf(run, db, config);
    const apiKeyPath = /^\/_security\/api_key\/([^/]+)$/.exec(p);
    const role = principal?.kind === 'user' ? run.cluster.roles?.[principal.name] : undefined;
    const denied = role === undefined ? undefined : deniedBy(role, method, p);
    if (principal === undefined || (!run.publicCa && !/cacert = "[^"]+"/.test(config ?? ''))) {
      status = 401;
    } else if (denied !== undefined) {
      status = 403;
      answer = { error: { type: 'security_exception', reason: `action [${method} ${p}] is unauthorized for user [${principal.name}]: it needs ${denied}` }, status };
    } else if (p === '/_security/_authenticate') {
      answer = { username: principal.name, authentication_type: principal.kind };
    } else if (method === 'POST' && p === '/_security/user/_has_privileges') {
      const asked = JSON.parse(body ?? '{}').index as { names: string[]; privileges: string[] }[];
      // A key holds what its descriptors and its owner's role (when it was made or updated) both hold.
      const key = principal.kind === 'api_key' ? db.apiKeys[principal.name] : undefined;
      const held = key === undefined ? [role] : [...Object.values(key.role_descriptors as { [r: string]: FakeRole }), key.limitedBy];
      const holds = (name: string, privilege: string) => held.every((r: FakeRole | undefined) => r === undefined || holdsIndex(r, name, [privilege]));
      answer = { has_all_requested: asked.every((i) => i.names.every((n) => i.privileges.every((v) => holds(n, v)))) };
    } else if (principal.kind !== 'user') {
      status = 403;
    } else if (method === 'POST' && p === '/_security/api_key') {
      const request = JSON.parse(body ?? '{}');
      const id = `key${Object.keys(db.apiKeys).length + 1}`;
      const key = `secret-of-${id}`;
      db.apiKeys[id] = { name: request.name, role_descriptors: request.role_descriptors, metadata: request.metadata, owner: principal.name, limitedBy: role, invalidated: false, encoded: Buffer.from(`${id}:${key}`).toString('base64') };
      answer = { id, name: request.name, api_key: key, encoded: db.apiKeys[id].encoded };
    } else if (method === 'PUT' && apiKeyPath) {
      const stored = db.apiKeys[apiKeyPath[1]];
      if (!stored || stored.invalidated || stored.owner !== principal.name) {
        status = 404;
        answer = { error: { type: 'resource_not_found_exception', reason: `no API key owned by requesting user found for ID [${apiKeyPath[1]}]` }, status };
      } else {
        const request = JSON.parse(body ?? '{}');
        const updated = JSON.stringify([stored.role_descriptors, stored.metadata]) !== JSON.stringify([request.role_descriptors, request.metadata]);
        Object.assign(stored, { role_descriptors: request.role_descriptors, metadata: request.metadata, limitedBy: role, updates: (stored.updates ?? 0) + (updated ? 1 : 0) });
        answer = { updated };
      }
    } else if (method === 'DELETE' && p === '/_security/api_key' && principal.name !== 'elastic' && JSON.parse(body ?? '{}').owner !== true) {
      // With manage_own_api_key only, invalidating by id needs "owner": true (or username and realm).
      status = 403;
      answer = { error: { type: 'security_exception', reason: 'action [cluster:admin/xpack/security/api_key/invalidate] is unauthorized' }, status };
    } else if (method === 'DELETE' && p === '/_security/api_key') {
      // By ids, or (with "owner": true) every valid key of a name that the caller owns.
      const request = JSON.parse(body ?? '{}');
      const ids = (request.ids ?? Object.keys(db.apiKeys).filter((id) => db.apiKeys[id].name === request.name && db.apiKeys[id].owner === principal.name && !db.apiKeys[id].invalidated)) as string[];
      for (const id of ids) if (db.apiKeys[id]) db.apiKeys[id].invalidated = true;
      answer = { invalidated_api_keys: ids, previously_invalidated_api_keys: [], error_count: 0 };
    } else if (p.startsWith('/_cluster/health')) {
      answer = { status: 'green' };
    } else if (method === 'PUT' && p.startsWith('/_security/user/')) {
      db.users[p.slice('/_security/user/'.length)] = JSON.parse(body ?? '{}');
      answer = { created: true };
    } else if (method === 'PUT' && p.startsWith('/_security/role/')) {
      db.roles[p.slice('/_security/role/'.length)] = JSON.parse(body ?? '{}');
      answer = { role: { created: true } };
    } else if (method === 'PUT' && p.startsWith('/_ingest/pipeline/')) {
      db.pipelines = { ...db.pipelines, [p.slice('/_ingest/pipeline/'.length)]: JSON.parse(body ?? '{}') };
      answer = { acknowledged: true };
    } else if (method === 'PUT' && p.startsWith('/_ilm/policy/')) {
      db.policies = { ...db.policies, [p.slice('/_ilm/policy/'.length)]: JSON.parse(body ?? '{}').policy };
      answer = { acknowledged: true };
    } else if (method === 'GET' && (p.startsWith('/_ilm/policy/') || (p.startsWith('/_ingest/pipeline/') && p !== '/_ingest/pipeline/_simulate'))) {
      // As Elasticsearch answers: by name, a policy under "policy", a pipeline as it was put.
      const [, kind, name] = /^\/_(ilm\/policy|ingest\/pipeline)\/(.+)$/.exec(p) as RegExpExecArray;
      const stored = (kind === 'ilm/policy' ? db.policies : db.pipelines)?.[name];
      if (stored === undefined) { status = 404; answer = {}; }
      else answer = { [name]: kind === 'ilm/policy' ? { version: 1, policy: stored } : stored };
    } else if (method === 'POST' && p === '/_ingest/pipeline/_simulate') {
      // The ingest model stands in for Elasticsearch's: the checks run through the pipelines put before.
      answer = { docs: simulate(JSON.parse(body ?? '{}'), db.pipelines ?? {}).map((d) => d.error === undefined ? { doc: { _source: d.doc } } : { error: { root_cause: [{ type: 'fail_processor_exception', reason: d.error }], type: 'fail_processor_exception', reason: d.error } }) };
    } else if (p.startsWith('/_index_template/')) {
      const name = p.slice('/_index_template/'.length);
      const clash = method === 'PUT' ? samePriorityOverlap(db.templates ?? {}, name, JSON.parse(body ?? '{}')) : undefined;
      if (clash !== undefined) {
        // Elasticsearch (MetadataIndexTemplateService) refuses two templates of one priority whose patterns overlap.
        status = 400;
        answer = { error: { type: 'illegal_argument_exception', reason: `index template [${name}] has index patterns matching patterns from existing templates [${clash}] that have the same priority` }, status };
      } else if (method === 'PUT') {
        db.templates = { ...db.templates, [name]: JSON.parse(body ?? '{}') };
        answer = { acknowledged: true };
      } else if (db.templates?.[name]) {
        answer = { index_templates: [{ name, index_template: db.templates[name] }] };
      } else {
        status = 404;
        answer = { error: { type: 'resource_not_found_exception' }, status };
      }
    } else if (method === 'GET' && p.startsWith('/_data_stream/')) {
      // The data streams a test has written to (db.streams), by name or pattern.
      const pattern = p.slice('/_data_stream/'.length);
      const re = new RegExp(`^${pattern.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
      const streams = (db.streams ?? []).filter((s: string) => re.test(s));
      if (!pattern.includes('*') && streams.length === 0) {
        status = 404;
        answer = { error: { type: 'index_not_found_exception' }, status };
      } else {
        answer = { data_streams: streams.map((name: string) => ({ name, timestamp_field: { name: '@timestamp' }, indices: [] })) };
      }
    } else if (method === 'POST' && p.endsWith('/_rollover?lazy=true')) {
      db.rollovers = [...(db.rollovers ?? []), p.slice(1, -'/_rollover?lazy=true'.length)];
      answer = { acknowledged: true, lazy: true };
    } else if (method === 'PUT') {
      answer = { acknowledged: true };
    } else if (p.startsWith(tokenPath)) {
      const name = p.slice(tokenPath.length);
      if (method === 'POST' && db.tokens[name]) {
        status = 409;
      } else if (method === 'POST') {
        db.tokens[name] = `AAEAAWVsYXN0aWMva2liYW5h${Object.keys(db.tokens).length}x${name.length}`;
        answer = { created: true, token: { name, value: db.tokens[name] } };
      } else if (method === 'DELETE') {
        answer = { found: !!db.tokens[name] };
        db.tokens = Object.fromEntries(Object.entries(db.tokens).filter(([token]) => token !== name));
      }
    } else {
      status = 404;
    }
  } else {
    status = 404;
  }
  fs.writeFileSync(path.join(state, 'db.json'), JSON.stringify(db));
  // The API server pretty-prints JSON for curl.
  if (out) fs.writeFileSync(path.resolve(cwd, out), `${JSON.stringify(answer, undefined, 2)}\n`);
  return { code: failOnError && status >= 400 ? 22 : 0, stdout: writeOut ? String(status) : '' };
}

/** The cluster privileges, any of which grants a call (as Elasticsearch's APIs document them); undefined: none needed. */
function clusterPrivilegesOf(method: string, p: string): string[] | undefined {
  const admin = ['manage', 'all'];
  if (p === '/_security/_authenticate' || p === '/_security/user/_has_privileges') return undefined;
  if (p.startsWith('/_cluster/health') || p.startsWith('/_nodes')) return ['monitor', ...admin];
  if (p.startsWith('/_ilm/policy/')) return method === 'GET' ? ['read_ilm', 'manage_ilm', ...admin] : ['manage_ilm', ...admin];
  if (p === '/_ingest/pipeline/_simulate') return ['read_pipeline', 'manage_pipeline', ...admin];
  if (p.startsWith('/_ingest/pipeline/')) return method === 'GET' ? ['read_pipeline', 'manage_pipeline', ...admin] : ['manage_pipeline', ...admin];
  // monitor grants the GET of templates (ClusterPrivilegeTests.testMonitorPrivilegeGrantsGetTemplateActions).
  if (p.startsWith('/_index_template/')) return method === 'GET' ? ['monitor', 'manage_index_templates', ...admin] : ['manage_index_templates', ...admin];
  if (p.startsWith('/_security/api_key')) return ['manage_own_api_key', 'manage_api_key', 'manage_security', 'all'];
  if (p.startsWith('/_security/service/')) return ['manage_service_account', 'manage_security', 'all'];
  if (p.startsWith('/_security/')) return ['manage_security', 'all'];
  if (p.startsWith('/_migration/deprecations')) return admin;
  return [];
}

/** What a role lacks for a call, in words; undefined when it may make it. */
function deniedBy(role: FakeRole, method: string, p: string): string | undefined {
  const stream = /^\/_data_stream\/(.+)$/.exec(p);
  const rollover = /^\/([^_/][^/]*)\/_rollover/.exec(p);
  if (stream) return holdsIndex(role, stream[1], ['view_index_metadata']) || holdsIndex(role, stream[1], ['manage']) ? undefined : `view_index_metadata or manage on ${stream[1]}`;
  if (rollover) return holdsIndex(role, rollover[1], ['manage']) ? undefined : `manage on ${rollover[1]}`;
  const cluster = clusterPrivilegesOf(method, p);
  if (cluster === undefined) return undefined;
  return cluster.some((c) => role.cluster.includes(c)) ? undefined : `one of the cluster privileges ${cluster.join(', ')}`;
}

/** The role holds the privileges (or all) on the name or pattern: a pattern of its own covers it. */
function holdsIndex(role: FakeRole, name: string, privileges: string[]): boolean {
  const covers = (held: string) => held === name || (held.endsWith('*') && name.startsWith(held.slice(0, -1)));
  return privileges.every((privilege) => role.indices.some((i) => i.names.some(covers) && (i.privileges.includes(privilege) || i.privileges.includes('all'))));
}

/** Who a request's curl config authenticates as: a user, an API key (by id) or a service token; undefined when nobody. */
function principalOf(run: RunContext, db: any, config: string | undefined): { kind: 'user' | 'api_key' | 'token'; name: string } | undefined {
  const user = /^user = "([^:"]*):((?:[^"\\]|\\.)*)"$/m.exec(config ?? '');
  if (user) {
    const password = user[2].replace(/\\(.)/g, '$1');
    const known = { elastic: run.cluster.elasticPassword, ...run.cluster.users };
    return known[user[1] as keyof typeof known] === password ? { kind: 'user', name: user[1] } : undefined;
  }
  const header = /^header = "Authorization: (ApiKey|Bearer) ([^"]*)"$/m.exec(config ?? '');
  if (header && header[1] === 'ApiKey') {
    const id = Object.keys(db.apiKeys).find((k) => db.apiKeys[k].encoded === header[2] && !db.apiKeys[k].invalidated);
    return id === undefined ? undefined : { kind: 'api_key', name: id };
  }
  if (header && Object.values(db.tokens).includes(header[2])) return { kind: 'token', name: 'elastic/kibana' };
  return undefined;
}

let certificateSerial = 0;

/** elasticsearch-certutil: writes a "zip" (a JSON list of files) of distinct fake PEMs. */
function certutil(cwd: string, args: string[]): StubAnswer {
  const arg = (name: string) => path.resolve(cwd, args[args.indexOf(name) + 1]);
  const n = `serial-${++certificateSerial}`;
  let files: { [file: string]: string };
  if (args[0] === 'ca') {
    files = { 'ca/ca.crt': `CA-CERT ${n}`, 'ca/ca.key': `CA-KEY ${n}` };
  } else {
    const instances = fs.readFileSync(arg('--in'), 'utf-8');
    const name = (/name: "([^"]+)"/.exec(instances) as RegExpExecArray)[1];
    const dns = [...instances.matchAll(/- "([^"]+)"/g)].map((m) => m[1]);
    const ca = fs.readFileSync(arg('--ca-cert'), 'utf-8');
    files = { [`${name}/${name}.crt`]: `CERT ${n} signed by ${ca} for ${dns.join(',')}`, [`${name}/${name}.key`]: `KEY ${n}` };
  }
  if (fs.existsSync(arg('--out'))) return { code: 1, stderr: `Output file '${arg('--out')}' already exists\n` };
  fs.writeFileSync(arg('--out'), JSON.stringify(files));
  return { code: 0 };
}

/** unzip: unpacks certutil's "zip". */
function unzip(cwd: string, args: string[]): StubAnswer {
  const dir = path.resolve(cwd, args[args.indexOf('-d') + 1]);
  const zip = args.find((a) => !a.startsWith('-') && a !== args[args.indexOf('-d') + 1]) as string;
  const files = JSON.parse(fs.readFileSync(path.resolve(cwd, zip), 'utf-8')) as { [file: string]: string };
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return { code: 0 };
}

const runs = new Map<string, RunContext>();
let server: Promise<number> | undefined;

/** Answers one stub call: dispatches on the stub's name; an exception is a failed call. */
function answer(fields: string[]): StubAnswer {
  const [runId, stub, cwd, ...args] = fields;
  const run = runs.get(runId);
  if (!run) return { code: 2, stderr: `fake cluster: unknown run ${runId}\n` };
  try {
    if (stub === 'curl') return curl(run, cwd, args);
    if (stub === 'elasticsearch-certutil') return certutil(cwd, args);
    if (stub === 'unzip') return unzip(cwd, args);
    return { code: 2, stderr: `fake cluster: no stub ${stub}\n` };
  } catch (e) {
    return { code: 2, stderr: `fake cluster: ${stub} ${args.join(' ')}: ${(e as Error).message}\n` };
  }
}

/** The stubs' server on a loopback port, started on first use and not keeping jest alive. */
function stubServer(): Promise<number> {
  server ??= new Promise<number>((resolve, reject) => {
    const listener = net.createServer((socket) => {
      let buffer = '';
      let answered = false;
      socket.setEncoding('utf-8');
      // A stub killed mid-call resets the connection; its run fails on its own.
      socket.on('error', () => socket.destroy());
      socket.on('data', (chunk) => {
        if (answered) return;
        buffer += chunk;
        const fields = buffer.split('\0');
        const count = Number(fields[0]);
        // Complete once the count's fields are all NUL-terminated.
        if (fields.length < count + 2) return;
        answered = true;
        const result = answer(fields.slice(1, count + 1));
        socket.end(`${result.code}\0${result.stdout ?? ''}\0${result.stderr ?? ''}\0`);
      });
    });
    listener.on('error', reject);
    listener.listen(0, '127.0.0.1', () => resolve((listener.address() as net.AddressInfo).port));
    listener.unref();
  }).catch((e) => {
    server = undefined;
    throw e;
  });
  return server;
}

/** A fresh fake cluster with no Secret. */
export function fakeCluster(elasticPassword = 'elastic-password-from-its-secret', users: { [username: string]: string } = {}, roles: { [username: string]: FakeRole } = {}): FakeCluster {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-cluster-'));
  fs.writeFileSync(path.join(dir, 'db.json'), JSON.stringify({ secrets: {}, users: {}, roles: {}, tokens: {}, apiKeys: {} }));
  return { dir, elasticPassword, users, roles };
}

/**
 * Runs `run.sh` of a Job's files in the fake cluster, with the paths the pod has
 * (/setup, /tmp, the ServiceAccount folder, certutil, mounted Secrets) moved into a
 * fresh folder, as a new pod would start.
 * @param mounts files of mounted Secrets, by absolute path in the pod
 */
export async function runInFakeCluster(cluster: FakeCluster, files: { [file: string]: string }, options: {
  readonly elasticsearchUrl?: string;
  /** The certificate is publicly trusted (no `cacert` needed). @default false */
  readonly publicCa?: boolean;
  readonly mounts?: { [podPath: string]: string };
  /** Answers to force, by `METHOD /path`, or `POST <path>#<Secret name>` for one Secret (e.g. `{ 'POST /api/v1/namespaces/ns/secrets': 500 }`). */
  readonly fail?: { [call: string]: number };
} = {}): Promise<FakeRun> {
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
  for (const name of ['curl', 'elasticsearch-certutil', 'unzip']) fs.writeFileSync(path.join(pod, 'bin', name), STUB_CLIENT, { mode: 0o755 });
  fs.writeFileSync(path.join(pod, 'bin', 'sleep'), '#!/usr/bin/env bash\nexit 0\n', { mode: 0o755 });
  // Random: the server writes files for whoever presents a run's id.
  const runId = crypto.randomBytes(16).toString('hex');
  const run: RunContext = { cluster, elasticsearchUrl: options.elasticsearchUrl ?? 'https://elasticsearch.security-logging.svc:9200', publicCa: options.publicCa ?? false, fail: options.fail ?? {}, calls: [] };
  runs.set(runId, run);
  try {
    const port = await stubServer();
    const result = await new Promise<{ code: number; output: string }>((resolve, reject) => {
      const child = spawn('bash', [path.join(pod, 'setup', 'run.sh')], {
        env: { PATH: `${pod}/bin:${process.env.PATH}`, FAKE_PORT: String(port), FAKE_RUN: runId },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf-8').on('data', (d: string) => { stdout += d; });
      child.stderr.setEncoding('utf-8').on('data', (d: string) => { stderr += d; });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, output: stdout + stderr }));
    });
    return { code: result.code, output: result.output, calls: run.calls };
  } finally {
    runs.delete(runId);
  }
}

/** A copy of a fake cluster's state, to try something from the same start. */
export function cloneCluster(cluster: FakeCluster): FakeCluster {
  const copy = fakeCluster(cluster.elasticPassword, cluster.users, cluster.roles);
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

/** Users, roles, service tokens and API keys the fake Elasticsearch holds. */
export function elasticsearchStateOf(cluster: FakeCluster): {
  users: any; roles: any; tokens: { [name: string]: string }; apiKeys: { [id: string]: any }; templates: { [name: string]: any }; policies: { [name: string]: any }; pipelines: { [name: string]: any };
} {
  const db = JSON.parse(fs.readFileSync(path.join(cluster.dir, 'db.json'), 'utf-8'));
  return { users: db.users, roles: db.roles, tokens: db.tokens, apiKeys: db.apiKeys, templates: db.templates ?? {}, policies: db.policies ?? {}, pipelines: db.pipelines ?? {} };
}

/** Adds a Secret to the fake cluster (one that another operator made, or a user). */
export function addSecret(cluster: FakeCluster, namespace: string, name: string, data: { [key: string]: string }): void {
  const file = path.join(cluster.dir, 'db.json');
  const db = JSON.parse(fs.readFileSync(file, 'utf-8'));
  db.secrets[`${namespace}/${name}`] = {
    apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace, labels: {} },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
  fs.writeFileSync(file, JSON.stringify(db));
}

/** Whether some name matches both glob patterns (`*` any run of characters). */
export function globsIntersect(a: string, b: string): boolean {
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    if (memo.has(key)) return memo.get(key) as boolean;
    let result: boolean;
    if (i === a.length && j === b.length) result = true;
    else if (i < a.length && a[i] === '*') result = go(i + 1, j) || (j < b.length && go(i, j + 1));
    else if (j < b.length && b[j] === '*') result = go(i, j + 1) || (i < a.length && go(i + 1, j));
    else result = i < a.length && j < b.length && a[i] === b[j] && go(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

/** The other template of the same priority whose patterns overlap the new one's, if any. */
function samePriorityOverlap(templates: { [name: string]: any }, name: string, template: any): string | undefined {
  return Object.entries(templates).find(([other, t]) => other !== name && (t.priority ?? 0) === (template.priority ?? 0)
    && (t.index_patterns as string[]).some((p) => (template.index_patterns as string[]).some((q) => globsIntersect(p, q))))?.[0];
}

/** Index templates the cluster holds before the setup runs (Elasticsearch's built-in ones, a Fleet integration's). */
export function addTemplates(cluster: FakeCluster, templates: { [name: string]: { index_patterns: string[]; priority: number } }): void {
  const file = path.join(cluster.dir, 'db.json');
  const db = JSON.parse(fs.readFileSync(file, 'utf-8'));
  db.templates = { ...db.templates, ...templates };
  fs.writeFileSync(file, JSON.stringify(db));
}

/** The template Elasticsearch applies to a new data stream: the highest-priority one whose patterns match it. */
export function templateFor(cluster: FakeCluster, stream: string): string | undefined {
  const templates: { [name: string]: any } = JSON.parse(fs.readFileSync(path.join(cluster.dir, 'db.json'), 'utf-8')).templates ?? {};
  const matching = Object.entries(templates).filter(([, t]) => (t.index_patterns as string[]).some((p) => globsIntersect(p, stream)));
  return matching.sort(([, a], [, b]) => (b.priority ?? 0) - (a.priority ?? 0))[0]?.[0];
}

/** Data streams the agents have written to, as a later setup run finds them. */
export function addDataStreams(cluster: FakeCluster, names: string[]): void {
  const file = path.join(cluster.dir, 'db.json');
  const db = JSON.parse(fs.readFileSync(file, 'utf-8'));
  db.streams = [...(db.streams ?? []), ...names];
  fs.writeFileSync(file, JSON.stringify(db));
}

/** The data streams asked to roll over at their next write, in order. */
export function rolloversOf(cluster: FakeCluster): string[] {
  return JSON.parse(fs.readFileSync(path.join(cluster.dir, 'db.json'), 'utf-8')).rollovers ?? [];
}
