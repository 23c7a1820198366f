import { Duration } from 'cdk8s';
import { DetectionCondition } from './detection-condition';
import { KibanaIndexConnector } from './kibana-index-connector';
import { validateInstance, validateInstances } from '../common/validation';
import { IndexFieldType, IndexTemplate } from '../elasticsearch/index-template';

/** A detection rule's severity, as Elastic Security names it. */
export enum DetectionRuleSeverity {
  /** Low. */
  LOW = 'low',
  /** Medium. */
  MEDIUM = 'medium',
  /** High. */
  HIGH = 'high',
  /** Critical. */
  CRITICAL = 'critical',
}

/** The MITRE ATT&CK tactics (Enterprise and Containers matrices) the rules map to, by id. */
export enum MitreTactic {
  /** TA0001 Initial Access. */
  INITIAL_ACCESS = 'TA0001',
  /** TA0002 Execution. */
  EXECUTION = 'TA0002',
  /** TA0003 Persistence. */
  PERSISTENCE = 'TA0003',
  /** TA0004 Privilege Escalation. */
  PRIVILEGE_ESCALATION = 'TA0004',
  /** TA0005 Defense Evasion. */
  DEFENSE_EVASION = 'TA0005',
  /** TA0006 Credential Access. */
  CREDENTIAL_ACCESS = 'TA0006',
  /** TA0007 Discovery. */
  DISCOVERY = 'TA0007',
  /** TA0008 Lateral Movement. */
  LATERAL_MOVEMENT = 'TA0008',
  /** TA0040 Impact. */
  IMPACT = 'TA0040',
}

const TACTIC_NAMES: { [id: string]: string } = {
  TA0001: 'Initial Access', TA0002: 'Execution', TA0003: 'Persistence', TA0004: 'Privilege Escalation', TA0005: 'Defense Evasion',
  TA0006: 'Credential Access', TA0007: 'Discovery', TA0008: 'Lateral Movement', TA0040: 'Impact',
};

/** A MITRE ATT&CK technique (or sub-technique) under its tactic. */
export class MitreTechnique {
  /**
   * A technique: `id` as ATT&CK writes it (`T1609`, or `T1552.007` for a sub-technique)
   * and its name (a sub-technique's as `<technique>: <sub-technique>`, e.g.
   * `Unsecured Credentials: Container API`).
   * @see https://attack.mitre.org/matrices/enterprise/containers/
   */
  public static of(tactic: MitreTactic, id: string, name: string): MitreTechnique {
    if (!Object.values(MitreTactic).includes(tactic)) throw new Error(`mitre technique tactic must be one of ${Object.values(MitreTactic).join(', ')}, got ${JSON.stringify(tactic)}`);
    if (typeof id !== 'string' || !/^T\d{4}(\.\d{3})?$/.test(id)) throw new Error(`mitre technique id must be T followed by 4 digits, and .NNN for a sub-technique (T1609, T1552.007), got ${JSON.stringify(id)}`);
    if (typeof name !== 'string' || name.trim() === '') throw new Error(`mitre technique ${id} name must be a non-empty string, got ${JSON.stringify(name)}`);
    return new MitreTechnique(tactic, id, name);
  }

  private constructor(
    /** The tactic. */
    public readonly tactic: MitreTactic,
    /** The technique's id. */
    public readonly id: string,
    /** The technique's name. */
    public readonly name: string,
  ) {}
}

/** What every detection rule has. */
export interface DetectionRuleProps {
  /** Stable id (`rule_id`): lowercase letters, digits and `-`; a re-import overwrites the rule of this id. */
  readonly ruleId: string;
  /** Name, as the alerts show it. */
  readonly name: string;
  /** What it detects and why it matters. */
  readonly description: string;
  /** Severity. */
  readonly severity: DetectionRuleSeverity;
  /** Risk score, 0 to 100. */
  readonly riskScore: number;
  /** The ATT&CK techniques it detects (at least one). */
  readonly techniques: MitreTechnique[];
  /** The families it searches: their index patterns, and their mappings for the field checks. */
  readonly indexTemplates: IndexTemplate[];
  /** The documents it matches. */
  readonly condition: DetectionCondition;
  /**
   * How often it runs.
   * @default Duration.minutes(5)
   */
  readonly interval?: Duration;
  /**
   * How far back each run looks, beyond the interval (for documents indexed late).
   * @default Duration.minutes(1)
   */
  readonly additionalLookBack?: Duration;
  /**
   * Benign cases that match, for the analyst.
   * @default []
   */
  readonly falsePositives?: string[];
}

/** Props of a threshold rule. */
export interface ThresholdDetectionRuleProps extends DetectionRuleProps {
  /** Count matching documents per value of these fields (aggregatable; at most 3). */
  readonly groupBy: string[];
  /** Alert when a group reaches this many documents in one run. */
  readonly threshold: number;
}

/** Props of a new-terms rule. */
export interface NewTermsDetectionRuleProps extends DetectionRuleProps {
  /** Alert on a value of these fields (aggregatable; at most 3) not seen in the history window. */
  readonly newTermsFields: string[];
  /** How far back a value counts as seen. */
  readonly historyWindow: Duration;
}

/** Kinds of detection rules. */
export enum DetectionRuleType {
  /** Every matching document is an alert. */
  QUERY = 'query',
  /** A count of matching documents per group above a threshold is an alert. */
  THRESHOLD = 'threshold',
  /** A value never seen before in a window is an alert. */
  NEW_TERMS = 'new_terms',
}

const AGGREGATABLE = new Set<IndexFieldType>([
  IndexFieldType.KEYWORD, IndexFieldType.IP, IndexFieldType.LONG, IndexFieldType.INTEGER, IndexFieldType.SHORT, IndexFieldType.BYTE,
  IndexFieldType.BOOLEAN, IndexFieldType.DATE, IndexFieldType.DATE_NANOS, IndexFieldType.CONSTANT_KEYWORD,
]);
const NUMERIC = new Set<IndexFieldType>([IndexFieldType.LONG, IndexFieldType.INTEGER, IndexFieldType.SHORT, IndexFieldType.BYTE]);

/**
 * An Elastic Security detection rule, rendered in the detection engine's import format
 * (one JSON object per NDJSON line of `POST /api/detection_engine/rules/_import`). Its
 * query is generated from a typed {@link DetectionCondition}; every field it reads is
 * checked against the mappings of the families it searches when it is made.
 * @see https://www.elastic.co/guide/en/security/8.19/rules-api-import.html
 */
export class DetectionRule {
  /** A query rule: every matching document is an alert. */
  public static query(props: DetectionRuleProps): DetectionRule {
    return new DetectionRule(DetectionRuleType.QUERY, props, {});
  }

  /** A threshold rule: a group of matching documents that reaches `threshold` in one run is an alert. */
  public static threshold(props: ThresholdDetectionRuleProps): DetectionRule {
    const where = `detection rule ${props?.ruleId ?? '(no ruleId)'}`;
    checkAggregatableFields(`${where} groupBy`, props?.groupBy, props?.indexTemplates);
    if (!Number.isInteger(props.threshold) || props.threshold < 1) throw new Error(`${where} threshold must be an integer of at least 1, got ${JSON.stringify(props.threshold)}`);
    return new DetectionRule(DetectionRuleType.THRESHOLD, props, { threshold: { field: [...props.groupBy], value: props.threshold } });
  }

  /** A new-terms rule: a value of `newTermsFields` not seen in `historyWindow` is an alert. */
  public static newTerms(props: NewTermsDetectionRuleProps): DetectionRule {
    const where = `detection rule ${props?.ruleId ?? '(no ruleId)'}`;
    checkAggregatableFields(`${where} newTermsFields`, props?.newTermsFields, props?.indexTemplates);
    const days = durationIn(`${where} historyWindow`, props.historyWindow, 'days');
    if (days < 1 || days > 90) throw new Error(`${where} historyWindow must be 1 to 90 days, got ${days}`);
    return new DetectionRule(DetectionRuleType.NEW_TERMS, props, { new_terms_fields: [...props.newTermsFields], history_window_start: `now-${days}d` });
  }

  /** Stable id. */
  public readonly ruleId: string;
  /** Name. */
  public readonly name: string;
  /** Kind. */
  public readonly type: DetectionRuleType;
  /** Severity. */
  public readonly severity: DetectionRuleSeverity;
  /** The documents it matches. */
  public readonly condition: DetectionCondition;
  /** The ATT&CK techniques. */
  public readonly techniques: MitreTechnique[];
  private readonly json: { [key: string]: any };

  private constructor(type: DetectionRuleType, props: DetectionRuleProps, extra: { [key: string]: any }) {
    if (typeof props?.ruleId !== 'string' || !/^[a-z0-9][a-z0-9-]{2,99}$/.test(props.ruleId)) {
      throw new Error(`detection rule ruleId must be 3 to 100 lowercase letters, digits or '-', got ${JSON.stringify(props?.ruleId)}`);
    }
    const where = `detection rule ${props.ruleId}`;
    for (const key of ['name', 'description'] as const) {
      if (typeof props[key] !== 'string' || props[key].trim() === '') throw new Error(`${where} ${key} must be a non-empty string, got ${JSON.stringify(props[key])}`);
    }
    if (!Object.values(DetectionRuleSeverity).includes(props.severity)) throw new Error(`${where} severity must be one of ${Object.values(DetectionRuleSeverity).join(', ')}, got ${JSON.stringify(props.severity)}`);
    if (!Number.isInteger(props.riskScore) || props.riskScore < 0 || props.riskScore > 100) throw new Error(`${where} riskScore must be an integer from 0 to 100, got ${JSON.stringify(props.riskScore)}`);
    validateInstances(`${where} techniques`, props.techniques, MitreTechnique, "MitreTechnique.of(MitreTactic.EXECUTION, 'T1609', 'Container Administration Command')");
    if (props.techniques.length === 0) throw new Error(`${where} techniques must name at least one MITRE ATT&CK technique, got []`);
    validateInstances(`${where} indexTemplates`, props.indexTemplates, IndexTemplate, 'stack.indexTemplates["seclog-audit"]');
    if (props.indexTemplates.length === 0) throw new Error(`${where} indexTemplates must name at least one family, got []`);
    validateInstance(`${where} condition`, props.condition, DetectionCondition, "DetectionCondition.is('event.action', 'create')");
    for (const field of props.condition.fields()) {
      if (!props.indexTemplates.some((t) => t.typeOf(field) !== undefined)) {
        throw new Error(`${where} condition reads ${field}, which none of its families maps (${props.indexTemplates.map((t) => t.name).join(', ')}): the query would never match`);
      }
    }
    for (const field of props.condition._valueFields()) {
      // An analysed field matches words, not the whole value the query names.
      if (props.indexTemplates.every((t) => [IndexFieldType.TEXT, IndexFieldType.MATCH_ONLY_TEXT, undefined].includes(t.typeOf(field)))) {
        throw new Error(`${where} condition matches ${field} by value, which its families map as text (analysed): use a keyword field`);
      }
    }
    for (const field of props.condition._numericFields()) {
      if (!props.indexTemplates.some((t) => NUMERIC.has(t.typeOf(field) as IndexFieldType))) throw new Error(`${where} condition compares ${field} as a number, which no family maps as one`);
    }
    const interval = durationIn(`${where} interval`, props.interval ?? Duration.minutes(5), 'minutes');
    const lookBack = durationIn(`${where} additionalLookBack`, props.additionalLookBack ?? Duration.minutes(1), 'minutes');
    if (interval < 1) throw new Error(`${where} interval must be at least 1 minute, got ${interval}`);
    const falsePositives = props.falsePositives ?? [];
    if (!Array.isArray(falsePositives) || falsePositives.some((f) => typeof f !== 'string')) throw new Error(`${where} falsePositives must be a list of strings, got ${JSON.stringify(falsePositives)}`);
    this.ruleId = props.ruleId;
    this.name = props.name;
    this.type = type;
    this.severity = props.severity;
    this.condition = props.condition;
    this.techniques = [...props.techniques];
    this.json = {
      rule_id: props.ruleId,
      name: props.name,
      description: props.description,
      type,
      language: 'kuery',
      query: props.condition.toKql(),
      index: [...new Set(props.indexTemplates.flatMap((t) => t.indexPatterns))],
      severity: props.severity,
      risk_score: props.riskScore,
      interval: `${interval}m`,
      from: `now-${interval + lookBack}m`,
      to: 'now',
      // The time the pipeline indexed a document: a late document is still seen once (as Elastic's own rules do).
      timestamp_override: 'event.ingested',
      enabled: true,
      version: 1,
      max_signals: 100,
      author: ['cdk8s-security-logging'],
      license: 'Apache-2.0',
      tags: ['cdk8s-security-logging', ...[...new Set(this.techniques.map((t) => `Tactic: ${TACTIC_NAMES[t.tactic]}`))]],
      false_positives: [...falsePositives],
      references: [],
      threat: threat(this.techniques),
      ...extra,
    };
  }

  /** The rule in the import format. */
  public toJson(): { [key: string]: any } {
    return JSON.parse(JSON.stringify(this.json));
  }
}

/** The rules' ATT&CK mapping as the detection engine reads it: one entry per tactic, its techniques (and sub-techniques) under it. */
function threat(techniques: MitreTechnique[]): { [key: string]: any }[] {
  const tactics = [...new Set(techniques.map((t) => t.tactic))];
  return tactics.map((tactic) => {
    const own = techniques.filter((t) => t.tactic === tactic);
    const parents = [...new Set(own.map((t) => t.id.split('.')[0]))];
    return {
      framework: 'MITRE ATT&CK',
      tactic: { id: tactic, name: TACTIC_NAMES[tactic], reference: `https://attack.mitre.org/tactics/${tactic}/` },
      technique: parents.map((id) => {
        const parent = own.find((t) => t.id === id);
        const subs = own.filter((t) => t.id.startsWith(`${id}.`));
        // A sub-technique is named `<technique>: <sub-technique>`, as ATT&CK writes it.
        return {
          id, name: parent?.name ?? subs[0].name.split(': ')[0], reference: `https://attack.mitre.org/techniques/${id}/`,
          subtechnique: subs.map((t) => ({ id: t.id, name: t.name.split(': ').pop() as string, reference: `https://attack.mitre.org/techniques/${t.id.replace('.', '/')}/` })),
        };
      }),
    };
  });
}

function checkAggregatableFields(prop: string, fields: string[] | undefined, templates: IndexTemplate[] | undefined): void {
  if (!Array.isArray(fields) || fields.length === 0 || fields.length > 3 || fields.some((f) => typeof f !== 'string')) {
    throw new Error(`${prop} must be 1 to 3 field names, got ${JSON.stringify(fields)}`);
  }
  for (const field of fields) {
    if (!Array.isArray(templates) || !templates.some((t) => t instanceof IndexTemplate && AGGREGATABLE.has(t.typeOf(field) as IndexFieldType))) {
      throw new Error(`${prop} field ${field} must be mapped as an aggregatable type (keyword, ip, a number, boolean, date) in one of the rule's families`);
    }
  }
}

function durationIn(prop: string, duration: Duration, unit: 'minutes' | 'days'): number {
  if (!(duration instanceof Duration)) throw new Error(`${prop} must be a Duration (Duration.minutes(5)), got ${JSON.stringify(duration)}`);
  const value = unit === 'minutes' ? duration.toMinutes({ integral: false }) : duration.toDays({ integral: false });
  if (!Number.isInteger(value)) throw new Error(`${prop} must be a whole number of ${unit}, got ${value}`);
  return value;
}

/**
 * The document a rule's index action writes for each of its alerts: the rule's own
 * name, id, severity, risk score and ATT&CK mapping (known when the rule is made), and
 * from the action's Mustache variables the alert's id (`alert.id`, the detection alert's
 * document in `.alerts-security.alerts-<space>`), the link to it (Security's alert details
 * redirect, `/app/security/alerts/redirect/<id>?index=...&timestamp=...`, as its
 * `buildAlertDetailPath` writes it, relative to Kibana's base URL; a space other than
 * `default` prefixes it with `/s/<space>`) and the rule's saved-object id (`rule.id`).
 * (`context.results_link` of a per-alert action links to the rule's page, not the alert.)
 * @see https://www.elastic.co/guide/en/security/8.19/rule-action-variables.html
 */
function alertDocument(rule: { [key: string]: any }): { [key: string]: any } {
  const techniques = (rule.threat as any[]).flatMap((t) => t.technique.flatMap((tech: any) => [
    { id: tech.id, name: tech.name }, ...tech.subtechnique.map((sub: any) => ({ id: sub.id, name: `${tech.name}: ${sub.name}` })),
  ]));
  return {
    event: { kind: 'alert', dataset: 'seclog.alerts' },
    message: rule.name,
    kibana: {
      alert: {
        uuid: '{{alert.id}}', url: '/app/security/alerts/redirect/{{alert.id}}?index=.alerts-security.alerts-{{rule.spaceId}}&timestamp={{date}}',
        severity: rule.severity, risk_score: rule.risk_score,
        rule: { uuid: '{{rule.id}}', rule_id: rule.rule_id, name: rule.name },
      },
    },
    threat: {
      framework: 'MITRE ATT&CK',
      tactic: { id: rule.threat.map((t: any) => t.tactic.id), name: rule.threat.map((t: any) => t.tactic.name) },
      technique: { id: techniques.map((t) => t.id), name: techniques.map((t) => t.name) },
    },
    tags: [...rule.tags],
  };
}

/** The dotted paths of a document's leaves. */
function leafPaths(value: { [key: string]: any }, prefix = ''): string[] {
  return Object.entries(value).flatMap(([key, v]) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? leafPaths(v, `${prefix}${key}.`) : [`${prefix}${key}`]));
}

/**
 * A set of detection rules, as one import file: rules grow through `addRule`, a second
 * rule of one id is refused (the import would keep only one); alerts go to index
 * connectors added with `addIndexAction`.
 */
export class DetectionRules {
  private readonly list: DetectionRule[] = [];
  private readonly connectors: KibanaIndexConnector[] = [];

  constructor(rules: DetectionRule[] = []) {
    for (const rule of rules) this.addRule(rule);
  }

  /** Adds a rule. */
  public addRule(rule: DetectionRule): void {
    validateInstance('detection rules rule', rule, DetectionRule, 'DetectionRule.query({ ... })');
    if (this.list.some((r) => r.ruleId === rule.ruleId)) throw new Error(`detection rules: a rule ${rule.ruleId} is there already; rule ids must be unique`);
    checkStaticText(rule);
    this.list.push(rule);
  }

  /**
   * Gives every rule (those added later too) an action that writes a document for each
   * of its alerts through an Index connector (per alert, on each run that finds some),
   * so that the alerts land in a data stream of their own besides Security's alerts
   * index. Every field the document carries must be mapped in the connector's template.
   */
  public addIndexAction(connector: KibanaIndexConnector): void {
    validateInstance('detection rules index action connector', connector, KibanaIndexConnector, "new KibanaIndexConnector({ template: stack.indexTemplates['seclog-alerts'] })");
    if (this.connectors.some((c) => c.id === connector.id)) throw new Error(`detection rules: an index action through connector ${connector.id} is there already`);
    const sample = alertDocument({ name: '', rule_id: '', severity: '', risk_score: 0, tags: [], threat: [] });
    const unmapped = leafPaths(sample).filter((path) => connector.template.typeOf(path) === undefined);
    if (unmapped.length > 0) {
      throw new Error(
        `detection rules index action: template ${connector.template.name} of connector ${connector.id} does not map ${unmapped.join(', ')}, ` +
        'which the alert documents carry; use SecurityIndexTemplates.DETECTION_ALERT_FIELDS',
      );
    }
    this.connectors.push(connector);
  }

  /** The rules, in the order added; a copy. */
  public get rules(): DetectionRule[] {
    return [...this.list];
  }

  /** The index connectors every rule's alerts go to; a copy. */
  public get indexConnectors(): KibanaIndexConnector[] {
    return [...this.connectors];
  }

  /** The import file: one rule per line (`POST /api/detection_engine/rules/_import`). */
  public renderNdjson(): string {
    return this.list.map((r) => {
      const json = r.toJson();
      if (this.connectors.length > 0) {
        json.actions = this.connectors.map((c) => ({
          group: 'default', id: c.id, action_type_id: '.index', params: { documents: [alertDocument(json)] },
          // One document per alert, on each run that finds some (per-alert actions: Kibana 8.8+).
          frequency: { summary: false, notifyWhen: 'onActiveAlert', throttle: null },
        }));
      }
      return `${JSON.stringify(json)}\n`;
    }).join('');
  }
}

/** An action's strings are Mustache templates: a rule's own text must not read as one. */
function checkStaticText(rule: DetectionRule): void {
  const json = rule.toJson();
  const texts = [json.name, ...json.tags, ...(json.threat as any[]).flatMap((t) => [t.tactic.name, ...t.technique.flatMap((x: any) => [x.name, ...x.subtechnique.map((s: any) => s.name)])])];
  const bad = texts.find((t) => /\{\{|\}\}/.test(t));
  if (bad !== undefined) throw new Error(`detection rule ${rule.ruleId}: ${JSON.stringify(bad)} holds {{ or }}, which the alert action's Mustache would read as a variable`);
}
