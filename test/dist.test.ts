import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { assertValidManifests } from './helpers/schema';
import { createDefaultApp } from '../src/main';

const DIST = path.join(__dirname, '..', 'dist');

function synthTo(dir: string): Map<string, string> {
  createDefaultApp(dir).synth();
  return new Map(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf-8')]));
}

describe('the default app and dist/', () => {
  let first: Map<string, string>;
  let second: Map<string, string>;

  beforeAll(() => {
    first = synthTo(fs.mkdtempSync(path.join(os.tmpdir(), 'synth-a-')));
    second = synthTo(fs.mkdtempSync(path.join(os.tmpdir(), 'synth-b-')));
  });

  test('two synths give byte-identical output', () => {
    expect([...second.entries()]).toEqual([...first.entries()]);
  });

  test('dist/ is what the default app synthesizes now (run `npm run synth` if this fails)', () => {
    const committed = new Map(fs.readdirSync(DIST).sort().map((f) => [f, fs.readFileSync(path.join(DIST, f), 'utf-8')]));
    expect([...committed.keys()]).toEqual([...first.keys()]);
    for (const [file, content] of first) {
      expect({ file, content: committed.get(file) }).toEqual({ file, content });
    }
  });

  test('every object in dist/ validates against the Kubernetes schemas', () => {
    const objects = [...first.values()].flatMap((text) => parseAllDocuments(text).map((d) => d.toJSON()));
    expect(objects.length).toBeGreaterThan(10);
    assertValidManifests(objects);
  });

  test('the Namespace is the first object, so kubectl apply creates it before anything in it', () => {
    const [file] = [...first.keys()];
    const objects = parseAllDocuments(first.get(file) ?? '').map((d) => d.toJSON());
    expect(objects[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'security-logging' } });
    expect(objects[0].metadata.namespace).toBeUndefined();
    for (const obj of objects.slice(1)) {
      if (!['ClusterRole', 'ClusterRoleBinding'].includes(obj.kind)) {
        expect({ kind: obj.kind, ns: obj.metadata.namespace }).toEqual({ kind: obj.kind, ns: 'security-logging' });
      }
    }
  });

  test('no image is unpinned', () => {
    const text = [...first.values()].join('\n');
    const images = [...text.matchAll(/image: (\S+)/g)].map((m) => m[1]);
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) {
      expect(image).toMatch(/:[\w.-]+$/);
      expect(image).not.toMatch(/:latest$/);
    }
  });
});
