import * as fs from 'fs';
import * as path from 'path';
import { brokenRules, loadRuleBook } from './plugin-rules';
import { FluentBitConfig, FluentBitEnvValue, FluentBitPluginKind } from '../../src';

/** Documented properties of each plugin (test/fixtures/fluent-bit-plugin-params.json, from Fluent Bit's config maps and docs). */
const PARAMS = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'fluent-bit-plugin-params.json'), 'utf-8'));

/** Properties of a rendered config that the plugin's documented list (for 4.2) does not hold. */
export function undocumented(config: FluentBitConfig): string[] {
  const allowed = (section: string): string[] => {
    const entry = PARAMS[section];
    if (!entry) return [];
    const unconfirmed: string[] = entry._not_confirmed_in_4_2 ?? [];
    return entry.params.filter((p: string) => !unconfirmed.includes(p));
  };
  const problems: string[] = [];
  for (const key of Object.keys(config.serviceProperties)) if (!allowed('service').includes(key)) problems.push(`service: ${key}`);
  for (const kind of [FluentBitPluginKind.INPUT, FluentBitPluginKind.FILTER, FluentBitPluginKind.OUTPUT]) {
    for (const plugin of config.pluginsOf(kind)) {
      const section = `${kind}:${plugin.name}`;
      if (!PARAMS[section]) problems.push(`${section}: no documented parameter list`);
      for (const key of Object.keys(plugin.properties)) if (!allowed(section).includes(key)) problems.push(`${section}: ${key}`);
    }
  }
  for (const parser of config.parserList) {
    for (const key of Object.keys(parser.properties)) if (!allowed('parser').includes(key)) problems.push(`parser ${parser.name}: ${key}`);
  }
  return problems;
}


/**
 * Properties the Fluent Bit 4.2.3 plugins check together at init (cb_init), or values
 * they refuse or silently change (test/fixtures/fluent-bit-plugin-rules.json, each rule
 * with its file and line), broken by a rendered configuration.
 */
const RULES = loadRuleBook('fluent-bit-plugin-rules.json');

/** A rendered property value as Fluent Bit's YAML loader reads it: a string, booleans as on/off. */
const readValue = (value: unknown) => (value instanceof FluentBitEnvValue ? `\${${value.name}}` : typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value));

const lower = (properties: { [key: string]: unknown }) => Object.fromEntries(Object.entries(properties).filter(([, v]) => v !== undefined).map(([k, v]) => [k.toLowerCase(), v]));

export function brokenFluentBitRules(config: FluentBitConfig): string[] {
  const service = lower(config.serviceProperties);
  const broken = brokenRules(RULES, { keys: ['service'], params: service, sections: [], where: 'service' }, readValue);
  for (const kind of [FluentBitPluginKind.INPUT, FluentBitPluginKind.FILTER, FluentBitPluginKind.OUTPUT]) {
    for (const plugin of config.pluginsOf(kind)) {
      const params = lower(plugin.properties);
      broken.push(...brokenRules(RULES, {
        keys: [`_common:${kind}`, `${kind}:${plugin.name}`], params, serviceParams: service, sections: [],
        where: `${kind} ${plugin.name} (${plugin.properties.alias ?? ''})`,
      }, readValue));
    }
  }
  for (const parser of config.parserList) {
    broken.push(...brokenRules(RULES, { keys: ['parser'], params: { name: parser.name, ...lower(parser.properties) }, serviceParams: service, sections: [], where: `parser ${parser.name}` }, readValue));
  }
  return broken;
}

export { RULES as FLUENT_BIT_RULES };
