import { ApiObject, Chart, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { checkScope } from '../common/app-checks';
import { appLabels } from '../common/labels';
import { clusterScoped } from '../common/pod';
import { ElasticsearchCluster, ElasticsearchMaxMapCount } from '../elasticsearch/elasticsearch-cluster';
import { FalcoDaemonSet } from '../falco/falco-daemon-set';
import { FluentBitDaemonSet } from '../fluent-bit/fluent-bit-daemon-set';
import { FluentdDaemonSet } from '../fluentd/fluentd-daemon-set';

/**
 * A Pod Security Standard level, enforced on a namespace.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
export enum PodSecurityLevel {
  /** Unrestricted: host paths, privileged containers (the node agents need it). */
  PRIVILEGED = 'privileged',
  /** Known privilege escalations prevented. */
  BASELINE = 'baseline',
  /** Hardened: non-root, no capabilities, seccomp, restricted volume types. */
  RESTRICTED = 'restricted',
}

/** Props of {@link SecurityLoggingNamespace}. */
export interface SecurityLoggingNamespaceProps {
  /**
   * The level enforced (and warned and audited at).
   * @default - the strictest level the library's constructs in this chart meet:
   * privileged with a node agent (Fluentd, Fluent Bit, Falco, which read the node's
   * files) or an Elasticsearch with the privileged `vm.max_map_count` init container,
   * restricted otherwise. Pods of your own in the chart must meet it too.
   */
  readonly level?: PodSecurityLevel;
}

/**
 * The Namespace of a chart of one's own, as the ready-made chart makes it: named after
 * the chart's namespace and labelled with the Pod Security Standard its pods meet, so
 * that a cluster-wide default neither rejects them nor admits more than they need.
 * Create it first in the chart: `kubectl apply -f` then creates it before anything in it
 * (synthesis fails otherwise).
 */
export class SecurityLoggingNamespace extends Construct {
  /** The Namespace. */
  public readonly namespace: kplus.Namespace;

  constructor(scope: Construct, id: string, props: SecurityLoggingNamespaceProps = {}) {
    super(scope, id);
    checkScope(this);
    const chart = Chart.of(this);
    if (chart.namespace === undefined) {
      throw new Error(`security logging namespace: chart ${chart.node.path} has no namespace (new Chart(app, id, { namespace })), so there is no Namespace to make`);
    }
    if (props.level !== undefined && !Object.values(PodSecurityLevel).includes(props.level)) {
      throw new Error(`security logging namespace level must be one of ${Object.values(PodSecurityLevel).join(', ')}, got ${JSON.stringify(props.level)}`);
    }
    const level = Lazy.any({ produce: () => props.level ?? strictestLevel(chart) });
    this.namespace = new kplus.Namespace(this, 'Resource', {
      metadata: {
        name: chart.namespace,
        labels: {
          ...appLabels('security-logging', chart.namespace),
          'pod-security.kubernetes.io/enforce': level,
          'pod-security.kubernetes.io/warn': level,
          'pod-security.kubernetes.io/audit': level,
        },
      },
    });
    clusterScoped(this.namespace);
    this.node.addValidation({
      validate: () => {
        const first = chart.node.findAll().find((c) => c instanceof ApiObject && Chart.of(c) === chart);
        return first === ApiObject.of(this.namespace) ? [] : [
          `security logging namespace: ${this.node.path} must be the first object of chart ${chart.node.path}, or kubectl apply -f ` +
          `meets ${(first as ApiObject).kind} ${(first as ApiObject).name} before the namespace exists; create it first in the chart`,
        ];
      },
    });
  }
}

/** Whether a construct of the library needs a privileged namespace. */
function needsPrivileged(c: IConstruct): boolean {
  return c instanceof FluentdDaemonSet || c instanceof FluentBitDaemonSet || c instanceof FalcoDaemonSet
    || (c instanceof ElasticsearchCluster && c.maxMapCount === ElasticsearchMaxMapCount.PRIVILEGED_INIT_CONTAINER);
}

function strictestLevel(chart: Chart): PodSecurityLevel {
  return chart.node.findAll().some((c) => Chart.of(c) === chart && needsPrivileged(c)) ? PodSecurityLevel.PRIVILEGED : PodSecurityLevel.RESTRICTED;
}
