import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv';
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

interface SchemaSet {
  readonly ajv: Ajv;
  readonly id: string;
  readonly kinds: Map<string, string>;
}

const schemaSets = new Map<string, SchemaSet>();

function kubernetesSchemas(version: string): SchemaSet {
  let set = schemaSets.get(version);
  if (!set) {
    const file = path.join(ROOT, 'test', 'fixtures', `k8s-v${version}-definitions.json`);
    const definitions = JSON.parse(fs.readFileSync(file, 'utf-8')).definitions as Json;
    const kinds = new Map<string, string>();
    for (const [name, def] of Object.entries(definitions)) {
      for (const gvk of (def as Json)['x-kubernetes-group-version-kind'] ?? []) {
        const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
        kinds.set(`${apiVersion}/${gvk.kind}`, name);
      }
    }
    const ajv = new AjvDraft04({ strict: false, allErrors: true, validateFormats: false });
    const id = `k8s-${version}`;
    ajv.addSchema({ id, definitions: strict(definitions) as Json });
    set = { ajv, id, kinds };
    schemaSets.set(version, set);
  }
  return set;
}

let crdValidators: Map<string, ValidateFunction> | undefined;

/** Validators for the CRD kinds listed in cdk8s.yaml's imports. */
function crdSchemas(): Map<string, ValidateFunction> {
  if (!crdValidators) {
    crdValidators = new Map();
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    for (const file of fs.readdirSync(path.join(ROOT, 'crds'))) {
      for (const doc of parseAllDocuments(fs.readFileSync(path.join(ROOT, 'crds', file), 'utf-8'))) {
        const crd = doc.toJSON() as Json | null;
        if (!crd || crd.kind !== 'CustomResourceDefinition') continue;
        for (const version of crd.spec.versions) {
          const schema = strict(version.schema.openAPIV3Schema) as Json;
          // apiVersion, kind and metadata are validated by the API server for every object.
          schema.properties.metadata = { type: 'object' };
          crdValidators.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, ajv.compile(schema));
        }
      }
    }
  }
  return crdValidators;
}

/** Errors of one manifest object against each Kubernetes version (empty when valid). */
export function schemaErrors(obj: Json): string[] {
  const key = `${obj.apiVersion}/${obj.kind}`;
  const name = obj.metadata?.name;
  const crd = crdSchemas().get(key);
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
    const validate = set.ajv.getSchema(`${set.id}#/definitions/${definition}`);
    if (!validate) throw new Error(`cannot compile schema ${definition}`);
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
