import { Yaml } from 'cdk8s';
import { BUILTIN_API_RESOURCES } from './kubernetes-resources';

/**
 * How much of a request the API server records.
 * @see https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy
 */
export enum AuditLevel {
  /** Don't log events that match this rule. */
  NONE = 'None',
  /** Request metadata (user, timestamp, resource, verb) but no bodies. */
  METADATA = 'Metadata',
  /** Metadata and the request body, no response body. */
  REQUEST = 'Request',
  /** Metadata, request and response bodies. */
  REQUEST_RESPONSE = 'RequestResponse',
}

/**
 * Stages of a request an audit event can be generated in.
 * @see https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy
 */
export enum AuditStage {
  /** As soon as the audit handler receives the request. */
  REQUEST_RECEIVED = 'RequestReceived',
  /** Response headers sent, body not yet (long-running requests such as watch). */
  RESPONSE_STARTED = 'ResponseStarted',
  /** The response body has been completed. */
  RESPONSE_COMPLETE = 'ResponseComplete',
  /** A panic occurred. */
  PANIC = 'Panic',
}

/** Resources of one API group a rule matches. */
export interface AuditGroupResources {
  /**
   * API group name; `''` is the core group. The version must not be included.
   * @default '' (core)
   */
  readonly group?: string;

  /**
   * Resources in the group (`pods`, `pods/log`; `*` for all).
   * @default - every resource in the group
   */
  readonly resources?: string[];

  /**
   * Names of objects (needs `resources`).
   * @default - every object
   */
  readonly resourceNames?: string[];
}

/** One rule of an audit policy. The first rule that matches a request sets its level. */
export interface AuditPolicyRule {
  /** Level of the events this rule matches. */
  readonly level: AuditLevel;

  /**
   * User names this rule applies to.
   * @default - every user
   */
  readonly users?: string[];

  /**
   * User groups this rule applies to.
   * @default - every group
   */
  readonly userGroups?: string[];

  /**
   * Verbs this rule applies to (`get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`).
   * @default - every verb
   */
  readonly verbs?: string[];

  /**
   * Resources this rule applies to.
   * @default - every resource (and, without nonResourceURLs, every request)
   */
  readonly resources?: AuditGroupResources[];

  /**
   * Namespaces this rule applies to; `''` matches non-namespaced resources.
   * @default - every namespace
   */
  readonly namespaces?: string[];

  /**
   * Non-resource URL paths (`/healthz`, `/api*`); `*` only as the last character.
   * @default - none
   */
  readonly nonResourceURLs?: string[];

  /**
   * Stages not to generate events for; added to the policy's own list.
   * @default - none
   */
  readonly omitStages?: AuditStage[];

  /**
   * Leave managedFields out of request and response bodies.
   * @default - the policy's setting
   */
  readonly omitManagedFields?: boolean;

  /**
   * Allow this rule to record secrets, configmaps, tokenreviews or tokens above
   * Metadata. Their bodies hold credentials, so the lint refuses it unless this is set.
   * @default false
   */
  readonly allowSensitiveBodies?: boolean;
}

/** Props of {@link AuditPolicy}. */
export interface AuditPolicyProps {
  /**
   * Rules, in order (first match wins). More can be added with {@link AuditPolicy.addRule}.
   * @default []
   */
  readonly rules?: AuditPolicyRule[];

  /**
   * Stages omitted for every rule.
   * @default [AuditStage.REQUEST_RECEIVED]
   */
  readonly omitStages?: AuditStage[];

  /**
   * Leave managedFields out of every request and response body.
   * @default - unset (the API server's default, false)
   */
  readonly omitManagedFields?: boolean;
}

/** A lint finding that does not stop synthesis. */
export interface AuditPolicyWarning {
  /** Index of the rule, or -1 for the policy as a whole. */
  readonly rule: number;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

/**
 * Resources whose bodies carry credentials, and from which level: secrets and
 * configmaps in their request bodies, TokenReviews in the token under review, and
 * TokenRequests (serviceaccounts/token) in the response, which holds the new token.
 */
const SENSITIVE: { group: string; resources: string[]; levels: AuditLevel[] }[] = [
  { group: '', resources: ['secrets', 'configmaps'], levels: [AuditLevel.REQUEST, AuditLevel.REQUEST_RESPONSE] },
  { group: 'authentication.k8s.io', resources: ['tokenreviews'], levels: [AuditLevel.REQUEST, AuditLevel.REQUEST_RESPONSE] },
  { group: '', resources: ['serviceaccounts/token'], levels: [AuditLevel.REQUEST_RESPONSE] },
];
const LEVELS = Object.values(AuditLevel) as string[];
const STAGES = Object.values(AuditStage) as string[];
const BODY_LEVELS = [AuditLevel.REQUEST, AuditLevel.REQUEST_RESPONSE];

/**
 * A typed `audit.k8s.io/v1` Policy for the kube-apiserver (`--audit-policy-file`).
 *
 * Rules are checked as they are added: `resourceNames` without `resources`, a rule
 * mixing resources and nonResourceURLs, a `*` anywhere but at the end of a
 * nonResourceURL and secrets, configmaps or tokens above Metadata (unless
 * `allowSensitiveBodies`) are errors. A missing catch-all and `RequestReceived` not
 * omitted are warnings ({@link AuditPolicy.warnings}).
 *
 * @see https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
 * @see https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/#audit-k8s-io-v1-Policy
 */
export class AuditPolicy {
  /**
   * The example policy of the Kubernetes audit documentation
   * (kubernetes/website `content/en/examples/audit/audit-policy.yaml`).
   */
  public static upstreamExample(): AuditPolicy {
    const core = (resources: string[], resourceNames?: string[]): AuditGroupResources => ({ group: '', resources, resourceNames });
    return new AuditPolicy({
      omitStages: [AuditStage.REQUEST_RECEIVED],
      rules: [
        { level: AuditLevel.REQUEST_RESPONSE, resources: [core(['pods'])] },
        { level: AuditLevel.METADATA, resources: [core(['pods/log', 'pods/status'])] },
        { level: AuditLevel.NONE, resources: [core(['configmaps'], ['controller-leader'])] },
        { level: AuditLevel.NONE, users: ['system:kube-proxy'], verbs: ['watch'], resources: [core(['endpoints', 'services'])] },
        { level: AuditLevel.NONE, userGroups: ['system:authenticated'], nonResourceURLs: ['/api*', '/version'] },
        // The example records configmap bodies in kube-system; they can hold credentials.
        { level: AuditLevel.REQUEST, resources: [core(['configmaps'])], namespaces: ['kube-system'], allowSensitiveBodies: true },
        { level: AuditLevel.METADATA, resources: [core(['secrets', 'configmaps'])] },
        { level: AuditLevel.REQUEST, resources: [{ group: '' }, { group: 'extensions' }] },
        { level: AuditLevel.METADATA, omitStages: [AuditStage.REQUEST_RECEIVED] },
      ],
    });
  }

  /**
   * A production policy in the style of the GCE one (kubernetes/kubernetes
   * `cluster/gce/gci/configure-helper.sh`, `create-master-audit-policy`): high-volume,
   * low-risk requests dropped, sensitive resources at Metadata, reads at Request,
   * writes to known APIs at RequestResponse, everything else at Metadata.
   */
  public static production(): AuditPolicy {
    const known = ['', 'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'apiregistration.k8s.io', 'apps',
      'authentication.k8s.io', 'authorization.k8s.io', 'autoscaling', 'batch', 'certificates.k8s.io', 'extensions',
      'metrics.k8s.io', 'networking.k8s.io', 'node.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'scheduling.k8s.io',
      'storage.k8s.io'].map((group) => ({ group }));
    const core = (resources: string[]): AuditGroupResources => ({ group: '', resources });
    const omit = [AuditStage.REQUEST_RECEIVED];
    return new AuditPolicy({
      omitStages: [],
      rules: [
        { level: AuditLevel.NONE, users: ['system:kube-proxy'], verbs: ['watch'], resources: [core(['endpoints', 'services', 'services/status'])] },
        { level: AuditLevel.NONE, users: ['system:unsecured'], namespaces: ['kube-system'], verbs: ['get'], resources: [core(['configmaps'])] },
        { level: AuditLevel.NONE, users: ['kubelet'], verbs: ['get'], resources: [core(['nodes', 'nodes/status'])] },
        { level: AuditLevel.NONE, userGroups: ['system:nodes'], verbs: ['get'], resources: [core(['nodes', 'nodes/status'])] },
        {
          level: AuditLevel.NONE,
          users: ['system:kube-controller-manager', 'system:cloud-controller-manager', 'system:kube-scheduler',
            'system:serviceaccount:kube-system:endpoint-controller'],
          verbs: ['get', 'update'], namespaces: ['kube-system'], resources: [core(['endpoints'])],
        },
        { level: AuditLevel.NONE, users: ['system:apiserver'], verbs: ['get'], resources: [core(['namespaces', 'namespaces/status', 'namespaces/finalize'])] },
        { level: AuditLevel.NONE, users: ['cluster-autoscaler'], verbs: ['get', 'update'], namespaces: ['kube-system'], resources: [core(['configmaps', 'endpoints'])] },
        {
          level: AuditLevel.NONE, users: ['system:kube-controller-manager', 'system:cloud-controller-manager'],
          verbs: ['get', 'list'], resources: [{ group: 'metrics.k8s.io' }],
        },
        { level: AuditLevel.NONE, nonResourceURLs: ['/healthz*', '/version', '/swagger*'] },
        { level: AuditLevel.NONE, resources: [core(['events'])] },
        {
          level: AuditLevel.REQUEST, users: ['kubelet', 'system:node-problem-detector', 'system:serviceaccount:kube-system:node-problem-detector'],
          verbs: ['update', 'patch'], resources: [core(['nodes/status', 'pods/status'])], omitStages: omit,
        },
        { level: AuditLevel.REQUEST, userGroups: ['system:nodes'], verbs: ['update', 'patch'], resources: [core(['nodes/status', 'pods/status'])], omitStages: omit },
        // A deletecollection request body is DeleteOptions, never the objects it deletes.
        {
          level: AuditLevel.REQUEST, users: ['system:serviceaccount:kube-system:namespace-controller'], verbs: ['deletecollection'],
          omitStages: omit, allowSensitiveBodies: true,
        },
        {
          level: AuditLevel.METADATA,
          resources: [core(['secrets', 'configmaps', 'serviceaccounts/token']), { group: 'authentication.k8s.io', resources: ['tokenreviews'] }],
          omitStages: omit,
        },
        { level: AuditLevel.REQUEST, verbs: ['get', 'list', 'watch'], resources: known, omitStages: omit },
        { level: AuditLevel.REQUEST_RESPONSE, resources: known, omitStages: omit },
        { level: AuditLevel.METADATA, omitStages: omit },
      ],
    });
  }

  private readonly _rules: AuditPolicyRule[] = [];
  private readonly omitStages: AuditStage[];
  private readonly omitManagedFields?: boolean;

  constructor(props: AuditPolicyProps = {}) {
    this.omitStages = validateStages('audit policy omitStages', props.omitStages ?? [AuditStage.REQUEST_RECEIVED]);
    this.omitManagedFields = props.omitManagedFields;
    for (const rule of props.rules ?? []) this.addRule(rule);
  }

  /** Appends a rule (first match wins, so general rules go last). Throws if the rule is wrong. */
  public addRule(rule: AuditPolicyRule): void {
    validateRule(`audit policy rule ${this._rules.length}`, rule, this._rules);
    this._rules.push({ ...rule });
  }

  /** A copy of the rules, in order. */
  public get rules(): AuditPolicyRule[] {
    return this._rules.map((r) => ({ ...r }));
  }

  /** Findings that do not stop synthesis: a missing catch-all, `RequestReceived` recorded. */
  public get warnings(): AuditPolicyWarning[] {
    const warnings: AuditPolicyWarning[] = [];
    const last = this._rules[this._rules.length - 1];
    if (!last || !isCatchAll(last)) {
      warnings.push({
        rule: -1,
        message: 'the policy has no catch-all rule last (a rule with only a level): requests no rule matches are not audited at all',
      });
    }
    this._rules.forEach((rule, index) => {
      if (rule.level !== AuditLevel.NONE && ![...this.omitStages, ...(rule.omitStages ?? [])].includes(AuditStage.REQUEST_RECEIVED)) {
        warnings.push({
          rule: index,
          message: `rule ${index} records the RequestReceived stage: every request then yields two events; add it to omitStages`,
        });
      }
    });
    return warnings;
  }

  /** The Policy object, with empty fields left out (the API server's YAML). */
  public toJson(): { [key: string]: any } {
    const policy: { [key: string]: any } = { apiVersion: 'audit.k8s.io/v1', kind: 'Policy' };
    if (this.omitStages.length > 0) policy.omitStages = [...this.omitStages];
    if (this.omitManagedFields !== undefined) policy.omitManagedFields = this.omitManagedFields;
    policy.rules = this._rules.map(ruleToJson);
    return policy;
  }

  /** The policy file for `--audit-policy-file`. */
  public render(): string {
    return Yaml.stringify(this.toJson());
  }
}

/**
 * The verbs an audit event carries: the request verbs of resource requests, and the
 * lowercase HTTP methods of non-resource requests (k8s.io/apiserver RequestInfoFactory).
 * @see https://kubernetes.io/docs/reference/access-authn-authz/authorization/#determine-the-request-verb
 */
const AUDIT_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'proxy', 'post', 'put', 'head', 'options'];

function ruleToJson(rule: AuditPolicyRule): { [key: string]: any } {
  const out: { [key: string]: any } = { level: rule.level };
  const lists: (keyof AuditPolicyRule)[] = ['users', 'userGroups', 'verbs'];
  for (const key of lists) if (rule[key] !== undefined) out[key] = [...(rule[key] as string[])];
  if (rule.resources !== undefined) {
    out.resources = rule.resources.map((r) => {
      const group: { [key: string]: any } = { group: r.group ?? '' };
      if (r.resources !== undefined) group.resources = [...r.resources];
      if (r.resourceNames !== undefined) group.resourceNames = [...r.resourceNames];
      return group;
    });
  }
  if (rule.namespaces !== undefined) out.namespaces = [...rule.namespaces];
  if (rule.nonResourceURLs !== undefined) out.nonResourceURLs = [...rule.nonResourceURLs];
  if (rule.omitStages !== undefined) out.omitStages = [...rule.omitStages];
  if (rule.omitManagedFields !== undefined) out.omitManagedFields = rule.omitManagedFields;
  return out;
}

function isCatchAll(rule: AuditPolicyRule): boolean {
  return ['users', 'userGroups', 'verbs', 'resources', 'namespaces', 'nonResourceURLs']
    .every((key) => rule[key as keyof AuditPolicyRule] === undefined);
}

function validateStages(prop: string, stages: AuditStage[]): AuditStage[] {
  for (const stage of stages) {
    if (!STAGES.includes(stage)) throw new Error(`${prop}: unknown stage ${JSON.stringify(stage)}; allowed: ${STAGES.join(', ')}`);
  }
  return [...stages];
}

function validateRule(prop: string, rule: AuditPolicyRule, earlier: AuditPolicyRule[]): void {
  if (!rule || !LEVELS.includes(rule.level)) {
    throw new Error(`${prop}: level must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(rule?.level)}`);
  }
  // First match wins: nothing after a catch-all is ever used.
  const catchAll = earlier.findIndex(isCatchAll);
  if (catchAll >= 0) {
    throw new Error(
      `${prop} comes after rule ${catchAll}, a catch-all (a rule with only a level), so it can never match: ` +
      'add it before the catch-all (build the policy with it first: new AuditPolicy({ rules: [rule, ...AuditPolicy.production().rules] }))',
    );
  }
  for (const key of ['users', 'userGroups', 'verbs', 'namespaces', 'nonResourceURLs'] as const) {
    const list = rule[key];
    if (list !== undefined && (!Array.isArray(list) || list.length === 0)) {
      throw new Error(`${prop}: ${key} must be a non-empty list or left out (an empty list matches nothing), got ${JSON.stringify(list)}`);
    }
  }
  for (const verb of rule.verbs ?? []) {
    if (!AUDIT_VERBS.includes(verb)) {
      const lower = typeof verb === 'string' && AUDIT_VERBS.includes(verb.toLowerCase()) ? ` (verbs are lowercase: ${JSON.stringify(verb.toLowerCase())})` : '';
      throw new Error(
        `${prop}: verbs has ${JSON.stringify(verb)}, a verb the API server never records${lower}; it records ${AUDIT_VERBS.join(', ')} ` +
        '(there is no wildcard: leave verbs out to match every verb)',
      );
    }
  }
  if (rule.omitStages !== undefined) validateStages(`${prop} omitStages`, rule.omitStages);
  if (rule.resources !== undefined && rule.nonResourceURLs !== undefined) {
    throw new Error(`${prop}: a rule cannot match both resources and nonResourceURLs; split it into two rules`);
  }
  if (rule.namespaces !== undefined && rule.nonResourceURLs !== undefined) {
    throw new Error(`${prop}: nonResourceURLs have no namespace; the API server refuses a rule with both, split it into two rules`);
  }
  if (rule.resources !== undefined && (!Array.isArray(rule.resources) || rule.resources.length === 0)) {
    throw new Error(`${prop}: resources must be a non-empty list or left out (the API server reads an empty list as every resource), got ${JSON.stringify(rule.resources)}`);
  }
  for (const url of rule.nonResourceURLs ?? []) {
    if (!url.startsWith('/') || url.slice(0, -1).includes('*')) {
      throw new Error(`${prop}: nonResourceURLs entries must start with '/' and may hold '*' only as the last character, got ${JSON.stringify(url)}`);
    }
  }
  (rule.resources ?? []).forEach((r, i) => {
    if (r.resources !== undefined && r.resources.length === 0) {
      throw new Error(`${prop} resources[${i}].resources must be a non-empty list or left out (empty means every resource), got []`);
    }
    if (r.group !== undefined && r.group.includes('/')) {
      throw new Error(`${prop} resources[${i}].group must be a group name without a version, got ${JSON.stringify(r.group)}`);
    }
    const builtIn = BUILTIN_API_RESOURCES[r.group ?? ''];
    for (const resource of r.resources ?? []) {
      const base = resource.split('/')[0];
      if (builtIn === undefined || base === '*' || builtIn.includes(base)) continue;
      const near = builtIn.find((b) => b === `${base.toLowerCase()}s` || b === base.toLowerCase() || b === `${base.toLowerCase()}es` || b.replace(/ies$/, 'y') === base.toLowerCase());
      throw new Error(
        `${prop} resources[${i}].resources has ${JSON.stringify(resource)}, which the ${r.group ? `${JSON.stringify(r.group)} group` : 'core group ("")'} does not serve` +
        `${near ? ` (resources are lowercase plurals: ${JSON.stringify(near)})` : ''}; its resources are ${builtIn.join(', ')}` +
        (r.group ? '' : ' (Deployments and the like are in the "apps" group)'),
      );
    }
    if (r.resourceNames !== undefined && (r.resources === undefined || r.resources.length === 0)) {
      throw new Error(`${prop} resources[${i}]: resourceNames needs resources (names of which resources?), got ${JSON.stringify(r)}`);
    }
  });
  if (BODY_LEVELS.includes(rule.level) && !rule.allowSensitiveBodies) {
    const hit = sensitiveMatch(rule, earlier);
    if (hit) {
      throw new Error(
        `${prop}: level ${rule.level} would record the bodies of ${hit}, which hold credentials; use Metadata for them ` +
        '(a rule before this one), or set allowSensitiveBodies: true if you really mean it',
      );
    }
  }
}

/** Whether `rule` matches every request for `resource` of `group`, whoever makes it. */
function coversAll(rule: AuditPolicyRule, group: string, resource: string): boolean {
  const unconditional = ['users', 'userGroups', 'verbs', 'namespaces', 'nonResourceURLs']
    .every((key) => rule[key as keyof AuditPolicyRule] === undefined);
  return unconditional && matchesResource(rule, group, resource, true);
}

/** Whether `rule` can match `resource` of `group` (ignoring users, verbs and namespaces). */
function matchesResource(rule: AuditPolicyRule, group: string, resource: string, everyName = false): boolean {
  if (rule.nonResourceURLs !== undefined) return false;
  if (rule.resources === undefined) return true;
  return rule.resources.some((r) => (r.group ?? '') === group
    && (r.resources === undefined || r.resources.some((pattern) => resourceMatches(pattern, resource)))
    && (!everyName || r.resourceNames === undefined));
}

/**
 * The API server's resource patterns: `*` (every resource and subresource),
 * `pods/*` (every subresource of pods), `*\/scale` (the scale subresource of all).
 */
function resourceMatches(pattern: string, resource: string): boolean {
  if (pattern === '*' || pattern === resource) return true;
  const [base, sub] = resource.split('/');
  if (pattern.endsWith('/*')) return sub !== undefined && pattern.slice(0, -2) === base;
  if (pattern.startsWith('*/')) return sub !== undefined && pattern.slice(2) === sub;
  return false;
}

/**
 * The sensitive resource a rule would record bodies of: one it matches that no
 * earlier rule already takes for every request (first match wins).
 */
function sensitiveMatch(rule: AuditPolicyRule, earlier: AuditPolicyRule[]): string | undefined {
  for (const { group, resources } of SENSITIVE.filter((s) => s.levels.includes(rule.level))) {
    for (const resource of resources) {
      if (matchesResource(rule, group, resource) && !earlier.some((e) => coversAll(e, group, resource))) {
        return group === '' ? resource : `${group}/${resource}`;
      }
    }
  }
  return undefined;
}
