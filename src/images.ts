/**
 * Every container image the library deploys, pinned in one place. No `:latest`.
 *
 * Elasticsearch and Kibana move together (Kibana must match the cluster's version).
 * 9.5.7 is the newest 9.x release confirmed (elastic/elasticsearch's GitHub release
 * v9.5.7); its Kibana and both images could not be confirmed here (docker-library/repo-info
 * stops at 9.5.3), Elastic releasing Kibana with the same version. Elastic ships 8.19 and
 * 9.5 patches in trains (8.19.22 with 9.5.4, 8.19.23 with 9.5.5: their release notes share
 * the same fixes), and an upgrade must go to a 9.x released after the 8.19 it leaves: by
 * the trains (an inference; release dates could not be read), 8.19.25 ships with 9.5.7 and
 * is the 8.19 release that upgrades to it, 8.19.26 being newer.
 *
 * The Fluentd image is fluent/fluentd-kubernetes-daemonset's variant for the cluster's
 * major version, at tag v1.19.3-1.1 (both variants' `Gemfile.lock`): fluentd 1.19.3,
 * kubernetes_metadata_filter 3.8, parser-cri 0.1, concat 2.6, rewrite-tag-filter 2.4,
 * prometheus 2.2, and fluent-plugin-elasticsearch 5.4.4 with the elasticsearch 8.19 client
 * (`debian-elasticsearch8`) or 6.0.0 with the 9.5 client (`debian-elasticsearch9`, added in
 * the repo's PR #1676). The 9 client fails against an 8.x server
 * (uken/fluent-plugin-elasticsearch#1075), so the variant follows the cluster.
 */

/** The Elasticsearch and Kibana version deployed by default. */
export const ELASTIC_STACK_VERSION = '9.5.7';

/** The Elasticsearch 8 release the library supports and tests (the last 8.x minor), and the one that upgrades to ELASTIC_STACK_VERSION. */
export const ELASTIC_STACK_8_VERSION = '8.19.25';

/** Elasticsearch image repository (the tag is the version). */
export const ELASTICSEARCH_IMAGE_REPOSITORY = 'docker.elastic.co/elasticsearch/elasticsearch';

/** Kibana image repository (the tag is the version). */
export const KIBANA_IMAGE_REPOSITORY = 'docker.elastic.co/kibana/kibana';

/** fluentd-kubernetes-daemonset, Debian, for Elasticsearch 9 (the default): fluent-plugin-elasticsearch 6.0.0. */
export const FLUENTD_IMAGE = 'fluent/fluentd-kubernetes-daemonset:v1.19.3-debian-elasticsearch9-1.1';

/** fluentd-kubernetes-daemonset, Debian, for Elasticsearch 8: fluent-plugin-elasticsearch 5.4.4. */
export const FLUENTD_ELASTICSEARCH8_IMAGE = 'fluent/fluentd-kubernetes-daemonset:v1.19.3-debian-elasticsearch8-1.1';

/**
 * A small image with a POSIX shell and `sysctl`, for the init container that raises
 * `vm.max_map_count` on the node.
 */
export const BUSYBOX_IMAGE = 'busybox:1.37.0';

/**
 * Falco (distroless image; the container plugin is bundled since 0.41) and its
 * driver loader, which must carry the same version: drivers of one release are not
 * compatible with the userspace of another. 0.44.1 is the appVersion of the
 * falcosecurity/charts falco chart 9.1.1.
 */
export const FALCO_VERSION = '0.44.1';

/** Falco image repository (the tag is the version). */
export const FALCO_IMAGE_REPOSITORY = 'falcosecurity/falco';

/** Falco driver loader image repository (the tag is the Falco version). */
export const FALCO_DRIVER_LOADER_IMAGE_REPOSITORY = 'falcosecurity/falco-driver-loader';

/**
 * Fluent Bit, distroless (no shell; entrypoint `/fluent-bit/bin/fluent-bit`). 4.2.3 is
 * the newest 4.2 image in the fluent-bit-docs tag table (`installation/downloads/docker.md`).
 */
export const FLUENT_BIT_IMAGE = 'fluent/fluent-bit:4.2.3';
