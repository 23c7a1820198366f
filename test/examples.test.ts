import * as fs from 'fs';
import * as path from 'path';
import { App, Testing } from 'cdk8s';

const ROOT = path.join(__dirname, '..');

describe('examples', () => {
  test('the README example is examples/my-logging-chart.ts, verbatim', () => {
    const example = fs.readFileSync(path.join(ROOT, 'examples', 'my-logging-chart.ts'), 'utf-8');
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
    expect(readme).toContain('```ts\n' + example + '```');
  });

  test('the example synthesizes a valid stack', async () => {
    // The example calls app.synth(), which would write dist/: collect the charts instead.
    const original = App.prototype.synth;
    let synthesized: any[] = [];
    App.prototype.synth = function (this: App) {
      synthesized = this.charts.flatMap((chart) => Testing.synth(chart));
    };
    try {
      await import('../examples/my-logging-chart');
    } finally {
      App.prototype.synth = original;
    }
    expect(synthesized.map((o) => o.kind)).toEqual(expect.arrayContaining(['StatefulSet', 'Deployment', 'DaemonSet']));
  });
});
