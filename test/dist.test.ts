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

  test('each manifest file starts with its Namespace, and everything in it is in that namespace', () => {
    expect(manifests(first).map(([file]) => file)).toEqual(['security-logging-agents.k8s.yaml', 'security-logging.k8s.yaml']);
    for (const [file, namespace] of [['security-logging-agents.k8s.yaml', 'security-logging-agents'], ['security-logging.k8s.yaml', 'security-logging']]) {
      const objects = manifestObjects(new Map([[file, first.get(file) as string]]));
      expect(objects[0]).toMatchObject({ kind: 'Namespace', metadata: { name: namespace } });
      expect(objects[0].metadata.namespace).toBeUndefined();
      for (const obj of objects.slice(1)) {
        if (['ClusterRole', 'ClusterRoleBinding'].includes(obj.kind)) continue;
        // The one exception: the setup Job's right to create the agent's credentials Secret in the agents' namespace.
        const setupAccess = obj.kind.startsWith('Role') && obj.metadata.name === 'elasticsearch-setup' && obj.metadata.namespace === 'security-logging-agents';
        expect({ kind: obj.kind, name: obj.metadata.name, ns: obj.metadata.namespace })
          .toEqual({ kind: obj.kind, name: obj.metadata.name, ns: setupAccess ? 'security-logging-agents' : namespace });
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
