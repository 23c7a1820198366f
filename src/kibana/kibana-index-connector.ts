import { validateInstance } from '../common/validation';
import { IndexTemplate, indexPatternMatches } from '../elasticsearch/index-template';

/** Props of {@link KibanaIndexConnector}. */
export interface KibanaIndexConnectorProps {
  /**
   * The connector's id: its key under `xpack.actions.preconfigured` and the `id` of the
   * rules' actions.
   * @default 'seclog-alerts-index'
   */
  readonly id?: string;
  /**
   * The name Kibana shows.
   * @default - 'Index: <index>'
   */
  readonly name?: string;
  /** The template of the data stream written: the connector checks that it is one and maps what the actions write. */
  readonly template: IndexTemplate;
  /**
   * The data stream written.
   * @default - the template's name
   */
  readonly index?: string;
}

/**
 * Kibana's Index connector (`.index`), preconfigured in `kibana.yml`
 * (`xpack.actions.preconfigured`): it writes an action's documents into a data stream,
 * each with the time of the action in `@timestamp` (`executionTimeField`). The Basic
 * license allows it (its `minimumLicenseRequired` is `basic`, as for Server log; Email,
 * Slack, PagerDuty and Webhook need Gold). Preconfigured, it is in every space, cannot be
 * edited or deleted in the UI, and a rule import that names it needs no connector in the
 * file; each write runs with the API key of the rule, that is of whoever imported it
 * (`create_doc` and `auto_configure` on the stream). Elastic Cloud allows no
 * preconfigured connectors of one's own: there, create it with the connector API.
 * @see https://www.elastic.co/guide/en/kibana/8.19/pre-configured-connectors.html
 * @see https://www.elastic.co/guide/en/kibana/8.19/index-action-type.html
 */
export class KibanaIndexConnector {
  /** The connector's id. */
  public readonly id: string;
  /** The data stream written. */
  public readonly index: string;
  /** The template of the data stream. */
  public readonly template: IndexTemplate;
  private readonly name: string;

  constructor(props: KibanaIndexConnectorProps) {
    validateInstance('kibana index connector template', props?.template, IndexTemplate, 'stack.indexTemplates["seclog-alerts"]');
    const id = props.id ?? 'seclog-alerts-index';
    if (typeof id !== 'string' || !/^[a-z0-9][a-z0-9-]{0,99}$/.test(id)) {
      throw new Error(`kibana index connector id must be lowercase letters, digits and '-', at most 100, got ${JSON.stringify(props.id)}`);
    }
    const index = props.index ?? props.template.name;
    if (typeof index !== 'string' || !props.template.indexPatterns.some((p) => indexPatternMatches(p, index))) {
      throw new Error(
        `kibana index connector ${id} index ${JSON.stringify(index)} is not matched by template ${props.template.name} ` +
        `(${props.template.indexPatterns.join(', ')}): Elasticsearch would create it without mapping or lifecycle`,
      );
    }
    if (!props.template.dataStream) {
      throw new Error(`kibana index connector ${id}: template ${props.template.name} is not a data stream; the connector's documents need one (rollover and retention by its policy)`);
    }
    if (props.name !== undefined && (typeof props.name !== 'string' || props.name.trim() === '')) {
      throw new Error(`kibana index connector ${id} name must be a non-empty string, got ${JSON.stringify(props.name)}`);
    }
    this.id = id;
    this.index = index;
    this.template = props.template;
    this.name = props.name ?? `Index: ${index}`;
  }

  /** @internal The connector's entry under `xpack.actions.preconfigured`. */
  public _preconfigured(): { [key: string]: any } {
    return { name: this.name, actionTypeId: '.index', config: { index: this.index, refresh: false, executionTimeField: '@timestamp' } };
  }
}
