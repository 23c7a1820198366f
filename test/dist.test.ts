import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DIST, manifestObjects, manifests, readTree } from './helpers/dist';
import { assertValidManifests } from './helpers/schema';
import { createDefaultApp } from '../src/main';

function synthTo(dir: string): Map<string, string> {
  createDefaultApp(dir).synth();
  return readTree(dir);
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
    const committed = readTree(DIST);
    expect([...committed.keys()]).toEqual([...first.keys()]);
    for (const [file, content] of first) {
      expect({ file, content: committed.get(file) }).toEqual({ file, content });
    }
  });

  test('every object in dist/ validates against the Kubernetes schemas', () => {
    const objects = manifestObjects(first);
    expect(objects.length).toBeGreaterThan(10);
    assertValidManifests(objects);
  });

  test('the Namespace is the first object, so kubectl apply creates it before anything in it', () => {
    const objects = manifestObjects(first);
    expect(objects[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'security-logging' } });
    expect(objects[0].metadata.namespace).toBeUndefined();
    for (const obj of objects.slice(1)) {
      if (!['ClusterRole', 'ClusterRoleBinding'].includes(obj.kind)) {
        expect({ kind: obj.kind, ns: obj.metadata.namespace }).toEqual({ kind: obj.kind, ns: 'security-logging' });
      }
    }
  });

  test('the API server files and KubeArmor patches sit in folders, out of kubectl apply -f dist/, and no Policy is a manifest', () => {
    expect([...first.keys()].filter((f) => f.includes('/')).sort()).toEqual([
      'apiserver/README.md', 'apiserver/audit-policy.yaml', 'apiserver/kube-apiserver-flags.txt',
      'apiserver/kubeadm-v1beta3-cluster-configuration.yaml', 'apiserver/kubeadm-v1beta4-cluster-configuration.yaml',
      'kubearmor/README.md', 'kubearmor/kubearmorconfig-stdout-patch.yaml', 'kubearmor/relay-deployment-stdout-patch.yaml',
    ]);
    for (const [, text] of manifests(first)) expect(text).not.toMatch(/^kind: (Policy|ClusterConfiguration)$/m);
  });

  test('no image is unpinned', () => {
    const text = manifests(first).map(([, t]) => t).join('\n');
    const images = [...text.matchAll(/image: (\S+)/g)].map((m) => m[1]);
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) {
      expect(image).toMatch(/:[\w.-]+$/);
      expect(image).not.toMatch(/:latest$/);
    }
  });
});
