#!/usr/bin/env node
// Finishes the API.md jsii-docgen writes (usage: finish-api-md.js <API.md>): jsii-docgen
// copies TSDoc `{@link X}` tags into the Markdown as they are, so readers saw raw
// `{@link SecurityLoggingChart.apiServerFiles}`. Each tag becomes a link to the anchor
// jsii-docgen made for that type or member (`#cdk8s-security-logging.X`,
// `...X.property.y`, `...X.y` for methods), or code text when the target has no anchor
// (an internal name, a member of the same type written without its class).
const fs = require('fs');

const file = process.argv[2];
if (!file || !fs.existsSync(file)) {
  console.error(`usage: finish-api-md.js <API.md>, got ${JSON.stringify(file)}`);
  process.exit(1);
}
const PREFIX = 'cdk8s-security-logging.';
const text = fs.readFileSync(file, 'utf-8');
const anchors = new Set([...text.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));

function anchorOf(target) {
  const dot = target.indexOf('.');
  const candidates = dot < 0
    ? [PREFIX + target]
    : [PREFIX + target, `${PREFIX}${target.slice(0, dot)}.property.${target.slice(dot + 1)}`];
  return candidates.find((id) => anchors.has(id));
}

const finished = text.replace(/\{@link\s+([^}|\s]+)\s*(?:\|\s*([^}]*?)\s*)?\}/g, (_, target, label) => {
  const shown = `\`${label ?? target}\``;
  const anchor = anchorOf(target);
  return anchor ? `[${shown}](#${anchor})` : shown;
});
if (/\{@link/.test(finished)) {
  console.error(`finish-api-md.js: a {@link} tag it cannot read is left in ${file}: ${finished.match(/\{@link[^\n]{0,60}/)[0]}`);
  process.exit(1);
}
fs.writeFileSync(file, finished);
