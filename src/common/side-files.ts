import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Names } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * Files that are not Kubernetes objects (the API server's audit policy and flags, the
 * KubeArmor relay patches), written beside the manifests by the App's own `synth()`,
 * so that a plain `cdk8s synth` of any app that uses the constructs writes them, with
 * no code of the user's.
 *
 * cdk8s has no hook after synthesis, so the first construct that registers files
 * wraps its App's `synth` method (on that one App object): it runs the App's synth as
 * before, then writes each folder and prints the warnings. `Testing.synth` does not
 * call `App.synth`, so unit tests write nothing. In a Helm chart (`cdk8s synth
 * --format helm`) the manifests go to `templates/`, which Helm installs: the folders
 * go to `files/` beside it instead.
 */
export interface SideOutput {
  /** File name to content. An empty map writes nothing (and removes a stale folder). */
  readonly files: { [file: string]: string };
  /** Printed on stderr at synth, as `warning: <text>`. */
  readonly warnings: string[];
}

interface Registration {
  readonly chart: Chart;
  readonly folder: string;
  readonly produce: () => SideOutput;
}

const REGISTRY = new WeakMap<App, Registration[]>();

/**
 * Registers files to write into `<outdir>/<folder>/` when the App is synthesized. When
 * several charts of one App write the same folder, each writes `<folder>/<chart name>/`.
 * Two registrations of one folder in one chart are an error: their files would mix.
 */
export function addSideFiles(scope: IConstruct, folder: string, produce: () => SideOutput): void {
  const root = scope.node.root;
  if (!(root instanceof App)) return; // a construct tree without an App has no synth to follow
  const chart = Chart.of(scope);
  let registrations = REGISTRY.get(root);
  if (registrations === undefined) {
    registrations = [];
    REGISTRY.set(root, registrations);
    wrapSynth(root, registrations);
  }
  const clash = registrations.find((r) => r.chart === chart && r.folder === folder);
  if (clash !== undefined) {
    throw new Error(
      `${scope.node.path}: chart ${chart.node.path} already writes the ${folder}/ folder beside its manifests ` +
      '(one API server audit configuration and one KubeArmor collector per chart); put the second in a chart of its own',
    );
  }
  registrations.push({ chart, folder, produce });
}

/** The side folders of an App by path relative to the output folder, as `synth()` writes them. */
export function sideFolders(app: App): { [folder: string]: SideOutput } {
  const registrations = REGISTRY.get(app) ?? [];
  const result: { [folder: string]: SideOutput } = {};
  for (const registration of registrations) {
    const shared = registrations.filter((r) => r.folder === registration.folder).length > 1;
    const folder = shared ? `${registration.folder}/${Names.toDnsLabel(registration.chart)}` : registration.folder;
    result[folder] = registration.produce();
  }
  return result;
}

function wrapSynth(app: App, registrations: Registration[]): void {
  // The method of the App's class, looked up when synth runs (not now), so a subclass's
  // or a test's replacement of it is what runs.
  Object.defineProperty(app, 'synth', {
    configurable: true,
    writable: true,
    value: function synthWithSideFiles(this: App): void {
      Object.getPrototypeOf(this).synth.call(this);
      if (registrations.length === 0) return;
      const outdir = this.outdir;
      const root = path.basename(outdir) === 'templates' ? path.join(path.dirname(outdir), 'files') : outdir;
      for (const [folder, output] of Object.entries(sideFolders(this))) {
        for (const warning of output.warnings) console.warn(`warning: ${warning}`);
        writeFolder(path.join(root, folder), output.files);
      }
    },
  });
}

/** Replaces a folder's content with the given files. */
function writeFolder(folder: string, files: { [file: string]: string }): void {
  fs.rmSync(folder, { recursive: true, force: true });
  if (Object.keys(files).length === 0) return;
  fs.mkdirSync(folder, { recursive: true });
  for (const [file, content] of Object.entries(files)) fs.writeFileSync(path.join(folder, file), content);
}
