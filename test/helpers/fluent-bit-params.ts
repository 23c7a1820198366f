import * as fs from 'fs';
import * as path from 'path';
import { FluentBitConfig, FluentBitPluginKind } from '../../src';

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

