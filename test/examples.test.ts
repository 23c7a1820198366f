import * as fs from 'fs';
import * as path from 'path';
import { App, Testing } from 'cdk8s';

const ROOT = path.join(__dirname, '..');

describe('examples', () => {
  test.each(['my-logging-chart.ts', 'full-stack.ts', 'falco-custom-rules.ts', 'own-dashboard.ts'])('the README shows examples/%s verbatim', (file) => {
    const example = fs.readFileSync(path.join(ROOT, 'examples', file), 'utf-8');
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
    expect(readme).toContain('```ts\n' + example + '```');
  });

  test.each([
    ['my-logging-chart', () => import('../examples/my-logging-chart')],
    ['full-stack', () => import('../examples/full-stack')],
    ['falco-custom-rules', () => import('../examples/falco-custom-rules')],
    ['own-dashboard', () => import('../examples/own-dashboard')],
  ])('examples/%s synthesizes a valid stack', async (_name, load) => {
    // The examples call app.synth(), which would write dist/: collect the charts instead.
    const original = App.prototype.synth;
    let synthesized: any[] = [];
    App.prototype.synth = function (this: App) {
      synthesized = this.charts.flatMap((chart) => Testing.synth(chart));
    };
    try {
      await load();
    } finally {
      App.prototype.synth = original;
    }
    expect(synthesized.map((o) => o.kind)).toEqual(expect.arrayContaining(['StatefulSet', 'Deployment', 'DaemonSet']));
  });
});
