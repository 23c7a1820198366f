/**
 * Format of the files under /var/log/containers.
 * @see https://kubernetes.io/docs/concepts/cluster-administration/logging/#log-location-node
 */
export enum ContainerLogFormat {
  /**
   * CRI (containerd, CRI-O): `<time> <stream> <P|F> <log>`; partial (`P`) lines are
   * joined before anything else sees them.
   */
  CRI = 'cri',
  /** Docker's json-file driver (dockershim, cri-dockerd): `{"log":...,"stream":...,"time":...}`. */
  DOCKER_JSON = 'docker-json',
}

/** Field that holds the parsed JSON of a log line. */
export const PAYLOAD_FIELD = 'payload';
