import { ApiObject, App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { validateDnsLabel } from './validation';

/** Kinds that have no namespace: two of one name clash across every namespace. */
const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass', 'StorageClass', 'PersistentVolume',
  'CustomResourceDefinition', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'ClusterIssuer',
]);

const CHECKED = new WeakSet<App>();

/**
 * Checks the scope every construct of the library is made in: its chart's namespace
 * must be a DNS label (Kubernetes refuses anything else, and the Service host names
 * the constructs build from it would be wrong), and the App's synthesis fails when two
 * of its objects are the same Kubernetes object (kind, API group, namespace and name),
 * for example two stacks in one namespace: `kubectl apply` would let the second
 * silently replace the first (added once per App).
 */
export function checkScope(scope: IConstruct): void {
  const chart = Chart.of(scope);
  if (chart.namespace !== undefined) validateDnsLabel(`chart ${chart.node.path} namespace`, chart.namespace);
  const app = scope.node.root;
  if (!(app instanceof App) || CHECKED.has(app)) return;
  CHECKED.add(app);
  app.node.addValidation({ validate: () => clashes(app) });
}

function clashes(app: App): string[] {
  const seen = new Map<string, ApiObject>();
  // By the pair of charts that make the same objects: what each pair makes twice.
  const twice = new Map<string, { first: Chart; second: Chart; objects: string[] }>();
  for (const construct of app.node.findAll()) {
    if (!(construct instanceof ApiObject)) continue;
    const kind = construct.kind;
    const namespace = CLUSTER_SCOPED_KINDS.has(kind) ? '' : (construct.metadata.namespace ?? Chart.of(construct).namespace ?? 'default');
    const key = `${construct.apiGroup}/${kind}/${namespace}/${construct.name}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, construct);
      continue;
    }
    const charts = { first: Chart.of(first), second: Chart.of(construct) };
    const pair = `${charts.first.node.path}\n${charts.second.node.path}`;
    const entry = twice.get(pair) ?? { ...charts, objects: [] };
    entry.objects.push(`${kind} ${namespace ? `${namespace}/` : ''}${construct.name}`);
    twice.set(pair, entry);
  }
  return [...twice.values()].map(({ first, second, objects }) => {
    const named = objects.length > 3 ? `${objects.slice(0, 3).join(', ')} and ${objects.length - 3} more objects` : objects.join(', ');
    const where = first === second ? `chart ${first.node.path} makes ${named} twice` : `charts ${first.node.path} and ${second.node.path} both make ${named}`;
    return `${where}: kubectl apply would let one replace the other; give each stack its own namespace (and cluster-wide names), or its own App`;
  });
}
