import { DetectionRule } from '../../src';

/** The README's table of the built-in rules, made from the rules themselves. */
export function rulesTable(rules: DetectionRule[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const kind = (r: DetectionRule) => {
    const json = r.toJson();
    if (json.type === 'threshold') return `threshold: ${json.threshold.value} or more per ${json.threshold.field.map((f: string) => `\`${f}\``).join(', ')}`;
    if (json.type === 'new_terms') return `new terms: \`${json.new_terms_fields.join('`, `')}\` unseen for ${json.history_window_start.replace('now-', '')}`;
    return 'query';
  };
  return [
    '| rule | what it detects | query | kind | severity (risk) | ATT&CK |',
    '|---|---|---|---|---|---|',
    ...rules.map((r) => {
      const json = r.toJson();
      return `| ${cell(r.name)} (\`${r.ruleId}\`) | ${cell(json.description)} | \`${cell(json.query)}\` | ${kind(r)} | ${json.severity} (${json.risk_score}) | ${r.techniques.map((t) => `${t.id} ${cell(t.name)}`).join('; ')} |`;
    }),
  ].join('\n');
}
