import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

/** The committed output of `npm run synth`. */
export const DIST = path.join(__dirname, '..', '..', 'dist');

/** The kinds whose pod template the stack runs. */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'];

/** Every file under `dir`, by relative path. */
export function readTree(dir: string): Map<string, string> {
  const files = fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
  return new Map(files.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf-8')]));
}

/** The files `kubectl apply -f dist/` reads: top-level manifests only. */
export const manifests = (files: Map<string, string>) => [...files.entries()].filter(([f]) => !f.includes('/') && /\.(ya?ml|json)$/.test(f));

/** Every object in those manifests, in order. */
export const manifestObjects = (files: Map<string, string>): any[] => manifests(files).flatMap(([, text]) => parseAllDocuments(text).map((d) => d.toJSON()));
