import { schemaErrors } from './helpers/schema';

// The validator is what every other test relies on: prove it rejects what kubeconform -strict rejects.
describe('strict Kubernetes schema validation', () => {
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } };

  test('accepts a valid object', () => {
    expect(schemaErrors(configMap)).toEqual([]);
  });

  test('rejects an unknown field', () => {
    expect(schemaErrors({ ...configMap, spec: {} }).join('\n')).toMatch(/additionalProperties/);
  });

  test('rejects an unknown nested field', () => {
    const bad = { ...configMap, metadata: { name: 'x', labelz: {} } };
    expect(schemaErrors(bad)).toHaveLength(2); // both Kubernetes versions
  });

  test('rejects a wrong type', () => {
    expect(schemaErrors({ ...configMap, data: { a: 1 } }).join('\n')).toMatch(/must be string/);
  });

  test('rejects an unknown kind', () => {
    expect(schemaErrors({ apiVersion: 'v1', kind: 'Pizza', metadata: { name: 'x' } }).join('\n')).toMatch(/no such kind/);
  });

  test('rejects an API version a Kubernetes version lacks', () => {
    // policy/v1beta1 PodDisruptionBudget was removed in 1.25.
    const pdb = { apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: { name: 'x' }, spec: {} };
    expect(schemaErrors(pdb)).toHaveLength(2);
  });

  test('validates CRD objects against their CRD schema, strictly', () => {
    const monitor = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'x' },
      spec: { selector: {}, endpoints: [{ port: 'metrics' }] },
    };
    expect(schemaErrors(monitor)).toEqual([]);
    expect(schemaErrors({ ...monitor, spec: { ...monitor.spec, endpointz: [] } }).join('\n')).toMatch(/additionalProperties/);
  });
});
