#!/usr/bin/env node
// Finishes the Helm chart `cdk8s synth --format helm` writes (usage: finish-helm-chart.js <chart dir>):
// - names it security-logging (cdk8s names it after the app file) and describes it;
// - removes crds/: cdk8s copies there the CRD files cdk8s.yaml imports for code
//   generation (cert-manager, prometheus-operator), which belong to those operators'
//   own installs; a chart that installs them would fight them.
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
