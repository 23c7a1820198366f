import { IndexTemplate } from '../../src';

/**
 * The README's table of a source's ECS fields, made from its rendered ingest pipeline
 * and its index template: for each field the pipeline writes, the source fields it
 * reads (a copy's source, or the fields its condition reads; `(constant)` for neither),
 * and the type the template maps it as. `prefix` is where the pipeline keeps the
 * source's own fields (`falco.`); `dedotted` names fields whose dots the agents
 * replaced by `_` (`falco.output_fields.`), shown with their dots again.
 */
export function ecsTable(pipeline: { processors: any[] }, template: IndexTemplate, prefix: string, dedotted: string[] = []): string {
  const sourceName = (field: string) => {
    for (const d of dedotted) if (field.startsWith(d)) return field.slice(d.length).replace(/_/g, '.');
    return field.startsWith(prefix) ? field.slice(prefix.length) : field;
  };
  const rows = new Map<string, Set<string>>();
  for (const processor of pipeline.processors) {
    const [type, options] = Object.entries(processor)[0] as [string, any];
    if (type === 'pipeline' || type === 'dot_expander' || type === 'remove') continue;
    // A rename that only moves a source field into the source's own namespace is no ECS field.
    if (type === 'rename' && prefix !== '' && options.target_field.startsWith(prefix)) continue;
    // Keys read with get('...') are written as path parts again.
    const condition = String(options.if ?? '').replace(/\?\.get\('([^']*)'\)/g, '.$1');
    const conditionFields = [...condition.matchAll(/ctx\.([\w?./-]+)/g)].map((m) => m[1].replace(/\?/g, '').replace(/\.(contains|startsWith)$/, ''));
    let writes: Array<[string, string[]]>;
    if (type === 'set') writes = [[options.field, options.copy_from !== undefined ? [options.copy_from] : conditionFields]];
    // An in-place gsub changes a field it already has a row for.
    else if (type === 'gsub' && options.target_field === undefined) continue;
    else if (type === 'date' || type === 'lowercase' || type === 'convert' || type === 'rename' || type === 'gsub') writes = [[options.target_field ?? options.field, [options.field]]];
    // grok: each captured field, from the field it parses.
    else if (type === 'grok') writes = [...new Set(options.patterns.flatMap((p: string) => [...p.matchAll(/%\{\w+:([^}]+)\}/g)].map((m) => m[1])))].map((f) => [f as string, [options.field]]);
    else throw new Error(`ecsTable: no row for a ${type} processor`);
    for (const [target, read] of writes) {
      const set = rows.get(target) ?? new Set<string>();
      for (const field of read) set.add(`\`${sourceName(field)}\``);
      rows.set(target, set);
    }
  }
  return [
    '| source field | ECS field | type |',
    '|---|---|---|',
    ...[...rows].map(([target, sources]) => `| ${sources.size === 0 ? '(constant)' : [...sources].join(', ')} | \`${target}\` | ${template.typeOf(target) ?? 'UNMAPPED'} |`),
  ].join('\n');
}

/** The text between `<!-- <name>:start -->` and `<!-- <name>:end -->` in a document. */
export function markedBlock(text: string, name: string): string {
  const m = new RegExp(`<!-- ${name}:start -->\\n([\\s\\S]*?)\\n<!-- ${name}:end -->`).exec(text);
  if (!m) throw new Error(`no block ${name} in the text`);
  return m[1];
}
