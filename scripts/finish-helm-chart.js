#!/usr/bin/env node
// Finishes the Helm chart `cdk8s synth --format helm` writes (usage: finish-helm-chart.js <chart dir>):
// - names it security-logging (cdk8s names it after the app file) and describes it;
// - removes crds/: cdk8s copies there the CRD files cdk8s.yaml imports for code
//   generation (cert-manager, prometheus-operator), which belong to those operators'
//   own installs; a chart that installs them would fight them;
// - keeps the Namespaces and PersistentVolumeClaims on `helm uninstall`
//   (helm.sh/resource-policy: keep): deleting a namespace would delete the
//   Elasticsearch volumes and the CA and passwords made in the cluster;
// - escapes `{{` and `}}` (the detection rules' alert actions are Mustache templates, which
//   Helm's Go templates would read as their own actions): each becomes an action that prints
//   it, `{{"{{"}}` and `{{"}}"}}`, so that `helm template` renders the manifests' text unchanged.
const fs = require('fs');
const path = require('path');

const dir = process.argv[2];
if (!dir || !fs.existsSync(path.join(dir, 'Chart.yaml'))) {
  console.error(`usage: finish-helm-chart.js <chart dir with Chart.yaml>, got ${JSON.stringify(dir)}`);
  process.exit(1);
}
const pkg = require(path.join(__dirname, '..', 'package.json'));
fs.writeFileSync(path.join(dir, 'Chart.yaml'), [
  'apiVersion: v2',
  'name: security-logging',
  `version: ${pkg.version}`,
  `description: ${JSON.stringify(pkg.description)}`,
  'type: application',
  '',
].join('\n'));
fs.rmSync(path.join(dir, 'crds'), { recursive: true, force: true });

const { parseAllDocuments } = require('yaml');
const templates = path.join(dir, 'templates');
for (const file of fs.readdirSync(templates).filter((f) => f.endsWith('.yaml'))) {
  const docs = parseAllDocuments(fs.readFileSync(path.join(templates, file), 'utf-8'));
  for (const doc of docs) {
    if (['Namespace', 'PersistentVolumeClaim'].includes(doc.get('kind'))) {
      doc.setIn(['metadata', 'annotations', 'helm.sh/resource-policy'], 'keep');
    }
  }
  const text = docs.map((d) => String(d)).join('');
  fs.writeFileSync(path.join(templates, file), text.replace(/\{\{|\}\}/g, (m) => `{{${JSON.stringify(m)}}}`));
}
