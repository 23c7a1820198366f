import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The jsii assembly `npm run build` writes (`.jsii`): the public API as Python, Java,
 * Go and .NET will see it. jsii refuses what those languages cannot express (union
 * types, members that re-declare a base member, a static and an instance member of
 * one name, internal types in public signatures), so the build itself is the check;
 * this pins what the assembly holds.
 */
const assembly = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.jsii'), 'utf-8'));

describe('the jsii assembly', () => {
  test('is a jsii assembly of this package, for Python, Java, Go and .NET', () => {
    expect(assembly.schema).toMatch(/^jsii\/0\./);
    expect(assembly.name).toBe('cdk8s-security-logging');
    expect(Object.keys(assembly.targets).sort()).toEqual(['dotnet', 'go', 'java', 'js', 'python']);
    expect(assembly.targets.python.module).toBe('cdk8s_security_logging');
    expect(Object.keys(assembly.dependencies).sort()).toEqual(['cdk8s', 'cdk8s-plus-27', 'constructs']);
  });

  test('exports every construct and the types their props use', () => {
    const types = Object.keys(assembly.types).map((t) => t.replace(/^cdk8s-security-logging\./, ''));
    for (const name of [
      'ElasticsearchCluster', 'ElasticsearchSetup', 'ElasticsearchSecurity', 'Kibana', 'KibanaSavedObjectsImport', 'FluentdDaemonSet',
      'FluentBitDaemonSet', 'KubernetesEventsCollector', 'FalcoDaemonSet', 'KubeArmorRelayCollector', 'AuditPolicy', 'KubeApiServerAudit',
      'SecurityLoggingChart', 'SecurityLoggingChartProps', 'S3Credentials', 'S3ArchiveOptions', 'LogAgent', 'KibanaSavedObjectJson',
    ]) expect({ name, exported: types.includes(name) }).toEqual({ name, exported: true });
    // Internal helpers stay out of the public API.
    for (const name of ['ElasticsearchConsumer', 'ResolvedS3Archive']) expect(types).not.toContain(name);
  });

  test('no free function in the public API: Python, Java and Go could not call it (each is a static method of a class)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const api = require('../src');
    const functions = Object.entries(api).filter(([, value]) => typeof value === 'function' && !/^class\b/.test(Function.prototype.toString.call(value)));
    expect(functions.map(([name]) => name)).toEqual([]);
    const statics = (type: string) => (assembly.types[`cdk8s-security-logging.${type}`].methods ?? []).filter((m: any) => m.static).map((m: any) => m.name);
    expect(statics('SecurityLoggingSizing')).toEqual(['size']);
    expect(statics('SecurityIndexTemplates')).toEqual(['of']);
    expect(statics('BuiltInSavedObjects').sort()).toEqual(['auditDashboard', 'containerLogSearches', 'falcoDashboard', 'kubeArmorDashboard', 'nodeJournalDashboard', 'of', 'securityOverviewDashboard']);
  });

  test('props are structs (data only, readonly), as the other languages need', () => {
    const structs = Object.values(assembly.types).filter((t: any) => t.kind === 'interface' && t.datatype);
    expect(structs.length).toBeGreaterThan(30);
    for (const struct of structs as any[]) {
      for (const property of struct.properties ?? []) expect({ type: struct.name, property: property.name, immutable: property.immutable }).toEqual({ type: struct.name, property: property.name, immutable: true });
    }
  });
});

test('API.md is what jsii-docgen writes from the assembly now (run `npm run build` and stage or commit API.md if this fails)', () => {
  const root = path.join(__dirname, '..');
  // The build has just written API.md; a committed (staged) copy that differs is stale.
  const committed = execFileSync('git', ['show', ':API.md'], { cwd: root, encoding: 'utf-8', maxBuffer: 64 * 1024 ** 2 });
  const built = fs.readFileSync(path.join(root, 'API.md'), 'utf-8');
  expect(built.length).toBeGreaterThan(10000);
  expect(built.startsWith('# API Reference')).toBe(true);
  expect(committed === built).toBe(true);
});

test('API.md has no raw TSDoc links: each {@link} became a link to its anchor, or code text', () => {
  const built = fs.readFileSync(path.join(__dirname, '..', 'API.md'), 'utf-8');
  expect(built.match(/\{@link[^\n]{0,60}/g) ?? []).toEqual([]);
  const ids = new Set([...built.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
  // Every link the finishing script wrote lands on an anchor jsii-docgen made.
  const links = [...built.matchAll(/\]\(#(cdk8s-security-logging\.[^)]+)\)/g)].map((m) => m[1]);
  expect(links.length).toBeGreaterThan(40);
  expect(links.filter((id) => !ids.has(id))).toEqual([]);
  expect(built).toContain('[`SecurityLoggingChart.apiServerFiles`](#cdk8s-security-logging.SecurityLoggingChart.apiServerFiles)');
});
