/**
 * The Elasticsearch and Kibana versions the library is tested with: every 8.19 patch
 * (the last 8.x minor, which a major upgrade must start from) and 9.0 to 9.5. What we
 * render differs between the two majors only where a test shows it (the Fluentd image
 * variant and its plugin's version settings); a version outside the range is refused,
 * because nothing here has checked what it changed.
 * @see https://www.elastic.co/docs/deploy-manage/upgrade/deployment-or-cluster
 */
export const SUPPORTED_STACK_VERSIONS = '8.19.x and 9.0.x to 9.5.x';

/** A parsed, supported Elastic Stack version. */
export interface StackVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** Parses `MAJOR.MINOR.PATCH` and refuses a version the library is not tested with, naming the prop. */
export function parseStackVersion(prop: string, version: string): StackVersion {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(typeof version === 'string' ? version : '');
  if (!match) throw new Error(`${prop} must be MAJOR.MINOR.PATCH such as "9.5.7", got ${JSON.stringify(version)}`);
  const [major, minor, patch] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const supported = (major === 8 && minor === 19) || (major === 9 && minor <= 5);
  if (!supported) {
    throw new Error(
      `${prop} ${JSON.stringify(version)} is not a tested version: the supported versions are ${SUPPORTED_STACK_VERSIONS} ` +
      '(an older 8.x must be upgraded to 8.19 first, as Elastic requires before 9.x)',
    );
  }
  return { major, minor, patch };
}
