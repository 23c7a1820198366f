import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { DetectionRules } from './detection-rules';
import { Kibana } from './kibana';
import { kibanaImportJob } from './kibana-saved-objects-import';
import { checkScope } from '../common/app-checks';
import { validateDnsLabel, validateInstance } from '../common/validation';

/** Props of {@link KibanaDetectionRulesImport}. */
export interface KibanaDetectionRulesImportProps {
  /** The Kibana whose detection engine gets the rules. */
  readonly kibana: Kibana;
  /** The rules (at least one). */
  readonly rules: DetectionRules;

  /**
   * Name prefix of the Job (a hash of the rules follows); set it for a second set beside
   * the built-in one.
   * @default '<kibana name>-detection-rules'
   */
  readonly name?: string;
}

/**
 * A Job that imports detection rules into Kibana's detection engine once Kibana's status
 * API answers: `POST /api/detection_engine/rules/_import?overwrite=true`, so running it
 * again updates each rule of the same `rule_id` in place. A rule the API refuses fails the
 * Job, which retries (and its log shows the API's reason).
 * @see https://www.elastic.co/guide/en/security/8.19/rules-api-import.html
 */
export class KibanaDetectionRulesImport extends Construct {
  /** The Job. */
  public readonly job: kplus.Job;

  constructor(scope: Construct, id: string, props: KibanaDetectionRulesImportProps) {
    super(scope, id);
    checkScope(this);
    validateInstance('kibana detection rules import kibana', props?.kibana, Kibana, 'stack.kibana');
    validateInstance('kibana detection rules import rules', props.rules, DetectionRules, 'BuiltInDetectionRules.of({ audit })');
    if (props.rules.rules.length === 0) throw new Error('kibana detection rules import rules must hold at least one rule, got none');
    if (props.name !== undefined) validateDnsLabel('kibana detection rules import name', props.name, 40);
    this.job = kibanaImportJob(this, {
      kibana: props.kibana,
      name: props.name ?? `${props.kibana.name}-detection-rules`,
      component: 'kibana-detection-rules',
      file: 'rules.ndjson',
      content: props.rules.renderNdjson(),
      path: '/api/detection_engine/rules/_import?overwrite=true',
    });
  }
}
