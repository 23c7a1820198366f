/**
 * Every container image the library deploys, pinned in one place. No `:latest`.
 *
 * Elasticsearch and Kibana move together (Kibana must match the cluster's version).
 * 8.19.22 is the newest 8.x release confirmed by published image metadata
 * (docker-library/repo-info `repos/elasticsearch/remote/8.19.22.md` and
 * `repos/kibana/remote/8.19.22.md`, `org.opencontainers.image.version=8.19.22`,
 * built 2026-09-18).
 *
 * The Fluentd image is fluent/fluentd-kubernetes-daemonset's Elasticsearch 8 variant:
 * fluentd 1.19 with fluent-plugin-elasticsearch 5.4, kubernetes_metadata_filter 3.8,
 * parser-cri 0.1, concat 2.6, rewrite-tag-filter 2.4 and prometheus 2.2 (the image's
 * `docker-image/v1.19/debian-elasticsearch8/Gemfile.lock`).
 */

/** The Elasticsearch and Kibana version deployed by default. */
export const ELASTIC_STACK_VERSION = '8.19.22';

/** Elasticsearch image repository (the tag is the version). */
export const ELASTICSEARCH_IMAGE_REPOSITORY = 'docker.elastic.co/elasticsearch/elasticsearch';

/** Kibana image repository (the tag is the version). */
export const KIBANA_IMAGE_REPOSITORY = 'docker.elastic.co/kibana/kibana';

/** fluentd-kubernetes-daemonset, Debian, Elasticsearch 8 output plugin. */
export const FLUENTD_IMAGE = 'fluent/fluentd-kubernetes-daemonset:v1.19.3-debian-elasticsearch8-1.1';

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
