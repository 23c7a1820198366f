import * as crypto from 'crypto';
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import Ajv from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { parseAllDocuments } from 'yaml';

/**
 * Strict Kubernetes schema validation, as kubeconform `-strict` does it: every object
 * validates against the official definitions of its apiVersion/kind, and properties
 * the schema does not list are errors. CRD objects validate against their CRD's
 * openAPIV3Schema from crds/.
 */

const ROOT = path.join(__dirname, '..', '..');
export const KUBERNETES_VERSIONS = ['1.27.0', '1.34.0'];

type Json = { [key: string]: any };

/** Makes every object schema that lists properties reject unknown ones. */
function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema as Json)) {
    out[key] = key === 'properties'
      ? Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, strict(v)]))
      : strict(value);
  }
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * Compiled validators are cached as standalone code under node_modules/.cache, named
 * by a hash of the definitions, this file and ajv's version: compiling them cost about
 * half a second in every test file.
 */
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'cdk8s-security-logging-schemas');

/** The compiler's package.json files: ajv-draft-04 and the ajv it resolves. */
const COMPILER_VERSIONS = (() => {
  const draft04 = require.resolve('ajv-draft-04/package.json');
  const ajv = require.resolve('ajv/package.json', { paths: [path.dirname(draft04)] });
  return fs.readFileSync(draft04, 'utf-8') + fs.readFileSync(ajv, 'utf-8');
})();

interface SchemaSet {
  readonly id: string;
  readonly definitions: Json;
  /** Definition name by `apiVersion/kind`. */
  readonly kinds: Map<string, string>;
  readonly cacheKey: string;
  readonly validators: Map<string, ValidateFunction>;
  ajv?: Ajv;
}

const schemaSets = new Map<string, SchemaSet>();

function kubernetesSchemas(version: string): SchemaSet {
  let set = schemaSets.get(version);
  if (!set) {
    const text = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', `k8s-v${version}-definitions.json`), 'utf-8');
    const definitions = JSON.parse(text).definitions as Json;
    const kinds = new Map<string, string>();
    for (const [name, def] of Object.entries(definitions)) {
      for (const gvk of (def as Json)['x-kubernetes-group-version-kind'] ?? []) {
        const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
        kinds.set(`${apiVersion}/${gvk.kind}`, name);
      }
    }
    const cacheKey = crypto.createHash('sha256')
      .update(text).update(fs.readFileSync(__filename)).update(COMPILER_VERSIONS)
      .digest('hex').slice(0, 16);
    set = { id: `k8s-${version}`, definitions, kinds, cacheKey, validators: new Map() };
    schemaSets.set(version, set);
  }
  return set;
}

/**
 * Writes a validator's code under a temporary name, then renames it (test files run in
 * parallel), and removes the set's files of other keys. The cache only saves time: a
 * folder that cannot be written (a read-only node_modules) is left alone.
 */
function writeCache(set: SchemaSet, file: string, code: string): void {
  const temporary = `${file}.${process.pid}`;
  try {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    for (const old of fs.readdirSync(CACHE_DIR)) {
      if (old.startsWith(`${set.id}-`) && !old.includes(`-${set.cacheKey}.js`)) fs.rmSync(path.join(CACHE_DIR, old), { force: true });
    }
    fs.writeFileSync(temporary, code);
    fs.renameSync(temporary, file);
  } catch {
    fs.rmSync(temporary, { force: true });
  }
}

/** The validator of one definition: from the cache, or compiled and then cached. */
function kubernetesValidator(set: SchemaSet, definition: string): ValidateFunction {
  let validate = set.validators.get(definition);
  if (validate) return validate;
  const file = path.join(CACHE_DIR, `${set.id}-${definition}-${set.cacheKey}.js`);
  if (fs.existsSync(file)) {
    // Node's own require: the generated module needs nothing from jest's module registry.
    validate = createRequire(__filename)(file) as ValidateFunction;
  } else {
    if (!set.ajv) {
      set.ajv = new AjvDraft04({ strict: false, allErrors: true, validateFormats: false, code: { source: true } });
      set.ajv.addSchema({ id: set.id, definitions: strict(set.definitions) as Json });
    }
    const compiled = set.ajv.getSchema(`${set.id}#/definitions/${definition}`);
    if (!compiled) throw new Error(`cannot compile schema ${definition}`);
    validate = compiled;
    writeCache(set, file, standaloneCode(set.ajv, compiled));
  }
  set.validators.set(definition, validate);
  return validate;
}

let crdSchemaList: Map<string, Json> | undefined;
const crdValidators = new Map<string, ValidateFunction>();
const crdAjv = new Ajv({ strict: false, allErrors: true, validateFormats: false });

/**
 * The validator of a CRD kind listed in cdk8s.yaml's imports, or undefined for other
 * kinds. The CRD files are read on the first call; each kind's schema is compiled on
 * its first use, since compiling every CRD costs about a second per test file.
 */
function crdValidator(key: string): ValidateFunction | undefined {
  if (!crdSchemaList) {
    crdSchemaList = new Map();
    for (const file of fs.readdirSync(path.join(ROOT, 'crds'))) {
      for (const doc of parseAllDocuments(fs.readFileSync(path.join(ROOT, 'crds', file), 'utf-8'))) {
        const crd = doc.toJSON() as Json | null;
        if (!crd || crd.kind !== 'CustomResourceDefinition') continue;
        for (const version of crd.spec.versions) {
          crdSchemaList.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, version.schema.openAPIV3Schema);
        }
      }
    }
  }
  const openApiSchema = crdSchemaList.get(key);
  if (!openApiSchema) return undefined;
  let validate = crdValidators.get(key);
  if (!validate) {
    const schema = strict(openApiSchema) as Json;
    // apiVersion, kind and metadata are validated by the API server for every object.
    schema.properties.metadata = { type: 'object' };
    validate = crdAjv.compile(schema);
    crdValidators.set(key, validate);
  }
  return validate;
}

/** Errors of one manifest object against each Kubernetes version (empty when valid). */
export function schemaErrors(obj: Json): string[] {
  const key = `${obj.apiVersion}/${obj.kind}`;
  const name = obj.metadata?.name;
  // Kubernetes' own kinds first: the CRD files are only read for a kind they may hold.
  const builtIn = KUBERNETES_VERSIONS.some((version) => kubernetesSchemas(version).kinds.has(key));
  const crd = builtIn ? undefined : crdValidator(key);
  if (crd) {
    return crd(obj) ? [] : [`${key} ${name}: ${JSON.stringify(crd.errors)}`];
  }
  const errors: string[] = [];
  for (const version of KUBERNETES_VERSIONS) {
    const set = kubernetesSchemas(version);
    const definition = set.kinds.get(key);
    if (!definition) {
      errors.push(`${key} ${name}: no such kind in Kubernetes ${version}`);
      continue;
    }
    const validate = kubernetesValidator(set, definition);
    if (!validate(obj)) {
      errors.push(`${key} ${name} (Kubernetes ${version}): ${JSON.stringify(validate.errors?.slice(0, 5))}`);
    }
  }
  return errors;
}

/** Throws with every schema error of the given objects. */
export function assertValidManifests(objects: Json[]): void {
  const errors = objects.flatMap(schemaErrors);
  if (errors.length > 0) {
    throw new Error(`Kubernetes schema validation failed:\n${errors.join('\n')}`);
  }
}

/** Counts objects validated, for the closing figures. */
export const validationStats = { objects: 0 };
