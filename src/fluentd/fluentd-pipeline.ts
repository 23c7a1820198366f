import { FluentdBuffer } from './fluentd-buffer';
import { FluentdEnvValue, FluentdSection } from './fluentd-config';
import { ELASTICSEARCH_API_KEY_ENV, ELASTICSEARCH_PASSWORD_ENV, ELASTICSEARCH_USER_ENV } from '../elasticsearch/consumer-credentials';
import { ContainerLogFormat, PAYLOAD_FIELD } from '../pipeline/container-logs';
import { CLUSTER_NAME_FIELD } from '../pipeline/index-families';
import { ContainerJsonSource, HostJsonFileSource, JournalSource, LogTimeField, LogTimeFormat, SyslogSource, snakeCase } from '../pipeline/log-source';
import { ResolvedS3Archive } from '../pipeline/s3-archive';
import { ElasticsearchAuthentication, ElasticsearchConnection } from '../elasticsearch/elasticsearch-connection';

/** Port of fluent-plugin-prometheus's metrics endpoint. */
export const METRICS_PORT = 24231;
/** Label of events whose Kubernetes metadata is added and which are shipped. */
const KUBERNETES_LABEL = '@KUBERNETES';
/** Field that carries each document's id to the output, which removes it. */
const DOCUMENT_ID_KEY = '_document_id';
/** Plugin id of the dead-letter output (its emit count is a Prometheus metric). */
export const DEAD_LETTER_ID = 'dead_letter';
/** A record key nothing writes; see `partial_cri_stream_key` below. */
const CONCAT_DELETED_KEY = 'concat_cri_deleted_key';
/** Label of Kubernetes audit events. */

/** The `<system>` directive and fluentd's own log events (dropped: they are on stdout). */
export function systemDirectives(logLevel: string): FluentdSection[] {
  return [
    FluentdSection.system({ params: { log_level: logLevel } }),
    // fluentd's own log events would otherwise flow into the pipeline; its stdout is
    // already the container log, which the tail source excludes.
    FluentdSection.label('@FLUENT_LOG', [FluentdSection.match('**', 'null', { id: 'drop_fluentd_own_logs' })]),
  ];
}

/**
 * Prometheus metrics on `:24231/metrics`: fluentd's own, each output's buffer and
 * retry state.
 * @see https://github.com/fluent/fluent-plugin-prometheus#input-plugins
 */
export function metricsDirectives(): FluentdSection[] {
  return [
    FluentdSection.source('prometheus', {
      id: 'in_prometheus',
      params: { bind: '0.0.0.0', port: METRICS_PORT, metrics_path: '/metrics' },
    }),
    FluentdSection.source('prometheus_monitor', { id: 'in_prometheus_monitor' }),
    FluentdSection.source('prometheus_output_monitor', { id: 'in_prometheus_output_monitor' }),
  ];
}

/** Options of the container-log pipeline. */
export interface ContainerLogPipelineOptions {
  readonly format: ContainerLogFormat;
  /** Glob of the files to tail. */
  readonly path: string;
  /** Globs of files never to tail (the agent's own logs). */
  readonly excludePaths: string[];
  /** Directory on the node for pos files and buffers. */
  readonly stateDir: string;
  readonly connection: ElasticsearchConnection;
  readonly clusterName: string;
  /** Index family, e.g. `seclog-containers`: the data stream written. */
  readonly indexFamily: string;
  readonly buffer: FluentdBuffer;
  /** Archive the events to S3 as well. */
  readonly archive?: ResolvedS3Archive;
}

/**
 * Container logs: tail, parse (CRI or Docker json), join split lines, add Kubernetes
 * metadata, lift JSON payloads into fields, and ship to Elasticsearch.
 * @see https://github.com/fluent/fluent-plugin-parser-cri
 * @see https://github.com/fluent-plugins-nursery/fluent-plugin-concat
 * @see https://docs.fluentd.org/filter/parser
 */
export function containerLogDirectives(options: ContainerLogPipelineOptions): FluentdSection[] {
  return containerFileRoute({
    format: options.format,
    name: 'containers',
    path: options.path,
    excludePaths: options.excludePaths,
    stateDir: options.stateDir,
    tag: 'kubernetes.*',
    tagPattern: 'kubernetes.**',
    label: KUBERNETES_LABEL,
    directives: [
      // Metadata comes from the file name (the tag) only. It runs before the JSON
      // lift, and lookup_from_k8s_field is off, so a pod cannot log a `kubernetes`
      // and `docker` object of its own and have its lines attributed to another pod.
      FluentdSection.filter('kubernetes.**', 'kubernetes_metadata', {
        id: 'kubernetes_metadata',
        params: { skip_master_url: true, lookup_from_k8s_field: false },
      }),
      // JSON payloads become fields under `payload`, where they cannot replace
      // `kubernetes`, `@timestamp` or `message`; the raw line stays in `message`.
      // The event keeps the time kubelet recorded: `time_key ''` stops the parser from
      // reading (and failing on, and so dropping the record for) an application's own
      // `time` field.
      FluentdSection.filter('kubernetes.**', 'parser', {
        id: 'lift_json_payloads',
        params: {
          key_name: 'message',
          hash_value_field: PAYLOAD_FIELD,
          reserve_data: true,
          reserve_time: true,
          remove_key_name_field: false,
          emit_invalid_record_to_error: false,
        },
        sections: [FluentdSection.parse('json', { params: { time_key: '' } })],
      }),
      // Label keys such as `app` and `app.kubernetes.io/name` would map `app` as both
      // a value and an object in Elasticsearch, which then rejects one of them.
      dedotFilter('kubernetes.**', 'dedot_field_names'),
      ...elasticsearchOutput('kubernetes.**', 'out_es_containers', options),
    ],
  });
}

/** Options of a route that reads container log files (CRI or Docker json-file). */
export interface ContainerFileRouteOptions {
  readonly format: ContainerLogFormat;
  /** Route name: the tail's `@id` is `in_tail_<name>`, its pos file `<name>.log.pos`. */
  readonly name: string;
  /** Glob of the files. */
  readonly path: string;
  readonly excludePaths?: string[];
  readonly stateDir: string;
  /** Tag of the events (`*` expands to the file path). */
  readonly tag: string;
  /** Pattern matching that tag. */
  readonly tagPattern: string;
  /** Label the joined lines continue in; it holds `directives`. */
  readonly label: string;
  /** What happens to each joined line: filters and outputs, with `message` and `stream` fields. */
  readonly directives: FluentdSection[];
}

/**
 * The time of a container log line: containerd, CRI-O and Docker write Go's
 * RFC3339Nano, which drops trailing zeros of the fraction and the whole fraction at an
 * exact second (`2024-05-01T10:00:09Z`). `format` (strptime, fast) reads lines with a
 * fraction; `%iso8601` the rest. With the format alone such a line fails to parse and
 * in_tail drops it, with a warning only in fluentd's own log.
 * @see https://pkg.go.dev/time#pkg-constants
 * @see https://github.com/fluent/fluentd/blob/v1.19.3/lib/fluent/time.rb (MixedTimeParser)
 */
function containerTimeFormats(format: string): { [param: string]: string | string[] } {
  return { time_type: 'mixed', time_format: format, time_format_fallbacks: ['%iso8601'] };
}

/**
 * Reads container log files of either runtime format and hands each whole line to
 * `directives` in `label`, with the text in `message` and `stdout`/`stderr` in
 * `stream`: CRI partial (`P`) lines and Docker's 16 KiB pieces are joined first.
 */
export function containerFileRoute(options: ContainerFileRouteOptions): FluentdSection[] {
  const cri = options.format === ContainerLogFormat.CRI;
  const joinLabel = `${options.label}_JOIN`;
  const tail = FluentdSection.source('tail', {
    id: `in_tail_${options.name}`,
    label: joinLabel,
    params: {
      path: options.path,
      exclude_path: options.excludePaths,
      pos_file: `${options.stateDir}/${options.name}.log.pos`,
      tag: options.tag,
      read_from_head: true,
      follow_inodes: true,
      refresh_interval: 10,
    },
    sections: [cri
      // fluent-plugin-parser-cri: fields `stream`, `logtag` (P or F) and `message`;
      // the time string becomes the event time and is not kept as a field too.
      ? FluentdSection.parse('cri', { params: { keep_time_key: false, ...containerTimeFormats('%Y-%m-%dT%H:%M:%S.%L%z') } })
      : FluentdSection.parse('json', { params: { time_key: 'time', ...containerTimeFormats('%Y-%m-%dT%H:%M:%S.%NZ'), utc: true } })],
  });

  const join = cri
    ? FluentdSection.filter(options.tagPattern, 'concat', {
      id: `join_${options.name}_cri_partial_lines`,
      params: {
        key: 'message',
        use_partial_cri_logtag: true,
        partial_cri_logtag_key: 'logtag',
        // fluent-plugin-concat deletes this key from every record it emits (in
        // filter_stream, unconditionally). Left at its default, `stream`, every log
        // line would lose its stream; a key no record has keeps it.
        partial_cri_stream_key: CONCAT_DELETED_KEY,
        // Without it stdout and stderr pieces of one container are mixed up.
        stream_identity_key: 'stream',
        // Kubelet splits long lines without adding anything: join with nothing.
        separator: '',
        flush_interval: 5,
        timeout_label: options.label,
      },
    })
    // Docker splits lines over 16 KiB; only a line's last piece ends in "\n".
    : FluentdSection.filter(options.tagPattern, 'concat', {
      id: `join_${options.name}_docker_partial_lines`,
      params: {
        key: 'log',
        multiline_end_regexp: '/\\n$/',
        stream_identity_key: 'stream',
        separator: '',
        flush_interval: 5,
        timeout_label: options.label,
      },
    });

  const normalize: FluentdSection[] = cri ? [] : [
    // Same field names as the CRI path: the text in `message`, without Docker's newline.
    FluentdSection.filter(options.tagPattern, 'record_transformer', {
      id: `${options.name}_docker_log_to_message`,
      params: { enable_ruby: true, remove_keys: 'log' },
      sections: [FluentdSection.section('record', { params: { message: '${record["log"].to_s.chomp}' } })],
    }),
  ];

  return [
    tail,
    FluentdSection.label(joinLabel, [join, FluentdSection.match(options.tagPattern, 'relabel', { label: options.label })]),
    FluentdSection.label(options.label, [...normalize, ...options.directives]),
  ];
}

/**
 * Events fluentd cannot process or deliver (Elasticsearch 400 rejections, filter
 * exceptions) go to `@ERROR`: they are printed on fluentd's stdout (`kubectl logs`,
 * never re-collected) and counted per plugin id in the Prometheus metrics.
 */
export function deadLetterDirectives(): FluentdSection[] {
  return [FluentdSection.label('@ERROR', [FluentdSection.match('**', 'stdout', { id: DEAD_LETTER_ID })])];
}

/**
 * An Elasticsearch output appending to one data stream (rolled over and deleted by
 * its lifecycle policy), with a file buffer. Documents are `create`d, as data
 * streams require, with `@timestamp` from the event time (nanoseconds). Until the
 * setup Job has put the stream's index template, Elasticsearch refuses to create
 * the stream (`action.auto_create_index`), and the plugin retries those documents.
 */
export function elasticsearchOutput(pattern: string, id: string, options: {
  readonly connection: ElasticsearchConnection;
  /** The cluster's name, which every record carries (the family's pipeline makes it orchestrator.cluster.name). */
  readonly clusterName: string;
  /** The data stream; may use fluentd placeholders such as `${tag[1]}`. */
  readonly indexFamily: string;
  readonly stateDir: string;
  readonly buffer: FluentdBuffer;
  /** Archive the events to S3 as well. */
  readonly archive?: ResolvedS3Archive;
}): FluentdSection[] {
  return [
    FluentdSection.filter(pattern, 'record_transformer', {
      id: `${id}_cluster`,
      sections: [FluentdSection.section('record', { params: { [CLUSTER_NAME_FIELD]: options.clusterName } })],
    }),
    // fluent-plugin-elasticsearch sends `create` only for records with an _id (it drops
    // the others); a random id, fixed before buffering, also makes a retried bulk
    // request idempotent (a repeated document is a 409, counted as a duplicate).
    FluentdSection.filter(pattern, 'elasticsearch_genid', { id: `${id}_id`, params: { hash_id_key: DOCUMENT_ID_KEY } }),
    elasticsearchMatch(pattern, id, options),
  ];
}

function elasticsearchMatch(pattern: string, id: string, options: {
  readonly connection: ElasticsearchConnection;
  readonly indexFamily: string;
  readonly stateDir: string;
  readonly buffer: FluentdBuffer;
  /** Archive the events to S3 as well. */
  readonly archive?: ResolvedS3Archive;
}): FluentdSection {
  const elasticsearch = {
    id,
    params: {
      host: options.connection.host,
      port: options.connection.port,
      scheme: options.connection.scheme,
      // Credentials from the agent's Secret (secretKeyRef): a user, or an API key, which the
      // plugin wants as `id:api_key` (it base64-encodes it itself: out_elasticsearch.rb
      // setup_api_key, 5.4.4 and 6.0.0) and the Secret holds encoded, as Fluent Bit wants it.
      ...(options.connection.authentication === ElasticsearchAuthentication.API_KEY ? {
        api_key: FluentdEnvValue.base64DecodedOf(ELASTICSEARCH_API_KEY_ENV),
      } : options.connection.secured ? {
        user: FluentdEnvValue.of(ELASTICSEARCH_USER_ENV),
        password: FluentdEnvValue.of(ELASTICSEARCH_PASSWORD_ENV),
      } : {}),
      ...(options.connection.secured ? {
        ssl_verify: true,
        // The CA from its mount; a publicly trusted certificate is verified with the system
        // store and Excon's bundled CAs (excon ssl_socket.rb: set_default_paths, DEFAULT_CA_FILE).
        ...(options.connection.caInSecret ? { ca_file: `${ELASTICSEARCH_CA_DIR}/${ElasticsearchConnection.CA_KEY}` } : {}),
        // fluent-plugin-elasticsearch refuses one without the other (elasticsearch_tls.rb:
        // "When you set 'ssl_min_version', must set 'ssl_max_version' together."): fluentd
        // would not start. TLS 1.2 at least, 1.3 when Elasticsearch offers it.
        ssl_min_version: 'TLSv1_2',
        ssl_max_version: 'TLSv1_3',
      } : {}),
      index_name: options.indexFamily,
      write_operation: 'create',
      id_key: DOCUMENT_ID_KEY,
      remove_keys: DOCUMENT_ID_KEY,
      include_timestamp: true,
      time_precision: 9,
      include_tag_key: true,
      // No _type on 8.x. On 9.x the plugin (6.0.0) drops _type by itself, and sets its own
      // compatible-with=9 Accept only when suppress_type_name is false and it believes in
      // 9 (out_elasticsearch.rb @df737bc, the else branch of `if @suppress_type_name`).
      // Otherwise elasticsearch-api 9.5 adds a lower-case `accept` beside Excon's default
      // `Accept: */*`, and Elasticsearch 9 refuses every bulk (400, "Only one value should be
      // provided"; uken/fluent-plugin-elasticsearch#1086): seen by running fluentd 1.19.3 with
      // the image's plugin 6.0.0 and client 9.5.0 (its transport, Faraday and Excon at the
      // nearest versions to hand) against a server logging the headers. So 9 gets
      // default_elasticsearch_version 9 and no suppress_type_name, as the image's fluent.conf.
      ...(options.connection.majorVersion === 8 ? { suppress_type_name: true } : {}),
      // Start (and buffer) even while Elasticsearch is down, instead of failing start-up;
      // the version it would have read decides the request format.
      verify_es_version_at_startup: false,
      default_elasticsearch_version: options.connection.majorVersion,
      // Behind a Service: keep the Service address, never sniff pod addresses.
      reload_connections: false,
      reload_on_failure: false,
      reconnect_on_error: true,
      request_timeout: '30s',
      log_es_400_reason: true,
    },
    sections: [options.buffer.section(`${options.stateDir}/buffer/${id}`)],
  };
  if (options.archive === undefined) return FluentdSection.match(pattern, 'elasticsearch', elasticsearch);
  // Both stores buffer on their own; a failed upload is retried by the S3 store alone.
  return FluentdSection.match(pattern, 'copy', {
    id: `${id}_copy`,
    // Each store gets its own copy of the record.
    params: { copy_mode: 'shallow' },
    sections: [
      FluentdSection.store('elasticsearch', elasticsearch),
      s3ArchiveStore(`${id}_s3`, id.replace(/^out_es_/, ''), options.archive, options.stateDir),
    ],
  });
}

/**
 * The S3 store of an archived route (fluent-plugin-s3): gzip objects of JSON lines
 * under `<prefix>/<source>/year=/month=/day=/hour=/`, a file buffer per source on the
 * node (hourly time chunks, flushed every `uploadTimeout`, at most `totalFileSize`
 * each, bounded by `storeDirLimitSize`), retries without end, credentials from the
 * AWS SDK's default chain (IRSA's web identity, or AWS_SHARED_CREDENTIALS_FILE).
 * @see https://github.com/fluent/fluent-plugin-s3/blob/master/docs/output.md
 */
function s3ArchiveStore(id: string, source: string, archive: ResolvedS3Archive, stateDir: string): FluentdSection {
  return FluentdSection.store('s3', {
    id,
    params: {
      s3_bucket: archive.bucket,
      s3_region: archive.region,
      s3_endpoint: archive.endpoint,
      force_path_style: archive.endpoint === undefined ? undefined : true,
      path: `${archive.keyPrefix}/${source}/year=%Y/month=%m/day=%d/hour=%H/`,
      // A unique key per flush, without a HEAD request per upload.
      s3_object_key_format: '%{path}%{time_slice}_%{uuid_flush}.%{file_extension}',
      check_object: false,
      store_as: 'gzip',
      // Start (and buffer) while S3 is unreachable; never create buckets.
      check_apikey_on_start: false,
      check_bucket: false,
      auto_create_bucket: false,
    },
    sections: [
      FluentdSection.buffer('file', 'tag,time', {
        params: {
          path: `${stateDir}/buffer/${id}`,
          timekey: 3600,
          timekey_use_utc: true,
          flush_mode: 'interval',
          flush_interval: `${archive.uploadTimeoutSeconds}s`,
          chunk_limit_size: archive.totalFileBytes,
          total_limit_size: archive.storeDirLimitBytes,
          overflow_action: 'block',
          retry_forever: true,
          retry_max_interval: '60s',
          flush_at_shutdown: true,
        },
      }),
      FluentdSection.format('json'),
      FluentdSection.section('inject', {
        params: { time_key: '@timestamp', time_type: 'string', time_format: '%Y-%m-%dT%H:%M:%S.%NZ', utc: true },
      }),
    ],
  });
}

/** Where the CA of the agent's Secret is mounted. */
export const ELASTICSEARCH_CA_DIR = '/etc/fluentd-elasticsearch';

/** The label a source's route runs in: `@<NAME>`. */
export function routeLabel(name: string): string {
  return `@${name.toUpperCase()}`;
}

/** A split value that may name a data stream: an RFC 1123 label. */
const SPLIT_VALUE = '/^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)$/';

/** The `<parse>` time settings of a record's own time field. */
function jsonTimeParams(time: LogTimeField): { [key: string]: unknown } {
  return time.format === LogTimeFormat.UNIX_SECONDS
    ? { time_key: time.field, time_type: 'unixtime', keep_time_key: true, estimate_current_event: false }
    // RFC 3339 in UTC with a fraction: metav1.MicroTime (2020-04-21T17:57:05.548299Z), Falco's nanoseconds.
    : { time_key: time.field, time_type: 'string', time_format: '%Y-%m-%dT%H:%M:%S.%NZ', utc: true, keep_time_key: true };
}

/**
 * A host file source as Fluentd directives: tail the file (from its start on the first
 * run, following rotation by inode, position on the node), parse each line as JSON with
 * the record's own time, and write its stream; with a split, `rewrite_tag_filter`
 * re-tags each record `<tag>.<value>` (`<tag>.<missing>` when the field is empty or
 * absent: an empty value skips the first rule) and the output writes
 * `<family>-<value>`, as the audit source document routes by namespace.
 * @see https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#log-backend
 * @see https://github.com/fluent/fluent-plugin-rewrite-tag-filter
 */
export function hostJsonFileDirectives(source: HostJsonFileSource, stateDir: string, output: (pattern: string, id: string, dataStream: string) => FluentdSection[]): FluentdSection[] {
  const { name, tag, split } = source;
  const label = routeLabel(name);
  const key = split ? `$.${split.field}` : '';
  return [
    FluentdSection.source('tail', {
      id: `in_tail_${name}`,
      label,
      // A longer line is skipped with a warning (in_tail.rb 1083-1096), as Fluent Bit's skip_long_lines.
      params: { path: source.path, pos_file: `${stateDir}/${name}.log.pos`, tag, read_from_head: true, follow_inodes: true, refresh_interval: 10, max_line_size: source.maxLineBytes },
      sections: [FluentdSection.parse('json', { params: jsonTimeParams(source.time) })],
    }),
    FluentdSection.label(label, split ? [
      // rewrite_tag_filter drops records no rule matches: the second rule catches the rest
      // (an empty or absent field too).
      FluentdSection.match(tag, 'rewrite_tag_filter', {
        id: `route_${name}_by_${snakeCase(split.field.split('.').pop() as string)}`,
        sections: [
          // Only a DNS label names a stream (a Kubernetes namespace is one): anything else
          // (upper case, dots, what a client put in a URL) goes to the missing value's.
          FluentdSection.section('rule', { params: { key, pattern: SPLIT_VALUE, tag: `${tag}.$1` } }),
          FluentdSection.section('rule', { params: { key, pattern: SPLIT_VALUE, invert: true, tag: `${tag}.${split.missing}` } }),
        ],
      }),
      // Keys keep their dots: the records are written as the file has them.
      ...output(`${tag}.**`, `out_es_${name}`, `${source.stream.family}-\${tag[${tag.split('.').length}]}`),
    ] : output(tag, `out_es_${name}`, source.stream.family)),
  ];
}

/**
 * Replaces dots in field names, nested ones included, with `_`: Elasticsearch reads
 * a dotted name as an object path, so `a` and `a.b` (or Falco's `k8s.pod.name`
 * beside `k8s`) clash in the mapping and one of them is rejected.
 */
export function dedotFilter(pattern: string, id: string): FluentdSection {
  return FluentdSection.filter(pattern, 'dedot', { id, params: { de_dot: true, de_dot_separator: '_', de_dot_nested: true } });
}

/**
 * Keeps the JSON lines a program prints on stdout: security agents print their
 * events there as one JSON object per line and their own log on stderr.
 */
export function stdoutJsonOnlyFilter(pattern: string, id: string): FluentdSection {
  return FluentdSection.filter(pattern, 'grep', {
    id,
    sections: [
      FluentdSection.section('regexp', { params: { key: 'stream', pattern: '/^stdout$/' } }),
      FluentdSection.section('regexp', { params: { key: 'message', pattern: '/^\\s*\\{/' } }),
    ],
  });
}

/**
 * A container JSON source as Fluentd directives in the route's label: JSON lines from
 * stdout only, parsed into the record with the least preferred time field as the event
 * time and each preferred one replacing it when the record has it, the records routed
 * to their streams (rewrite_tag_filter re-tags them `<name>.<family>`, the last rule
 * taking the rest), dots in names replaced, and one output writing the family.
 * @see https://docs.fluentd.org/filter/parser
 * @see https://github.com/fluent/fluent-plugin-rewrite-tag-filter
 */
export function containerJsonSourceDirectives(source: ContainerJsonSource, output: (pattern: string, id: string, dataStream: string) => FluentdSection[]): FluentdSection[] {
  const { name, tag } = source;
  const [fallback, ...preferred] = [...source.times].reverse();
  const json = fallback === undefined ? {} : jsonTimeParams(fallback);
  const directives: FluentdSection[] = [
    stdoutJsonOnlyFilter(tag, `${name}_stdout_json_only`),
    // The event's own fields become the record; a record without the time field keeps
    // the time the container runtime wrote.
    FluentdSection.filter(tag, 'parser', {
      id: `${name}_parse_event`,
      params: { key_name: 'message', reserve_data: false, reserve_time: false, emit_invalid_record_to_error: true },
      sections: [FluentdSection.parse('json', { params: { time_key: '', ...json } })],
    }),
    ...preferred.reverse().map((time) => {
      if (time.format !== LogTimeFormat.RFC3339) throw new Error(`fluentd source ${name}: a preferred time field must be RFC 3339 (only the last may be Unix seconds), got ${JSON.stringify(time)}`);
      const key = snakeCase(time.field);
      return FluentdSection.filter(tag, 'parser', {
        id: `${name}_${key}`,
        params: { key_name: time.field, reserve_data: true, reserve_time: false, remove_key_name_field: false, emit_invalid_record_to_error: false },
        sections: [FluentdSection.parse('regexp', {
          params: {
            expression: `/^(?<${key}>\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d+Z)$/`,
            time_key: key, time_type: 'string', time_format: '%Y-%m-%dT%H:%M:%S.%NZ', utc: true, keep_time_key: false,
          },
        })],
      });
    }),
  ];
  if (source.streams.length === 1) {
    return [...directives, dedotFilter(tag, `${name}_dedot`), ...output(tag, `out_es_${name}`, source.streams[0].family)];
  }
  // rewrite_tag_filter drops records no rule matches: the last stream's rule inverts the
  // rule before it, and so takes every record left.
  const rules = source.streams.slice(0, -1).flatMap((s) => (s.whenAnyField ?? []).map((field) => ({ field, tag: `${name}.${s.family}`, invert: false })));
  const last = rules[rules.length - 1];
  rules.push({ field: last.field, tag: `${name}.${source.streams[source.streams.length - 1].family}`, invert: true });
  return [
    ...directives,
    FluentdSection.match(tag, 'rewrite_tag_filter', {
      id: `route_${name}_events`,
      sections: rules.map((r) => FluentdSection.section('rule', { params: { key: r.field, pattern: '/^.+$/', ...(r.invert ? { invert: true } : {}), tag: r.tag } })),
    }),
    dedotFilter(`${name}.**`, `${name}_dedot`),
    ...output(`${name}.**`, `out_es_${name}`, '${tag[1]}'),
  ];
}

/**
 * A journal source as Fluentd directives: the `systemd` input (fluent-plugin-systemd, which
 * the image ships) on the journal directory, its matches as one JSON list (any of them
 * holds), from the oldest entry on its first start (`read_from_head`, as the image's own
 * systemd.conf does) and from the cursor it stores on the node after every entry
 * (`persistent`) after that; its records go to the stream's output in the route's label.
 * The records keep the journal's field names (no `<entry>` renames), as Fluent Bit's do.
 * @see https://github.com/fluent-plugins-nursery/fluent-plugin-systemd
 */
export function journalSourceDirectives(source: JournalSource, stateDir: string, output: FluentdSection[]): FluentdSection[] {
  const label = routeLabel(source.name);
  return [
    FluentdSection.source('systemd', {
      id: `in_systemd_${source.name}`,
      label,
      params: {
        path: source.path,
        // One hash per match: the plugin ORs the hashes (systemd-journal's filter()).
        matches: JSON.stringify(source.matches.map((m) => ({ [m.field]: m.value }))),
        read_from_head: true,
        tag: source.tag,
      },
      sections: [FluentdSection.section('storage', { params: { '@type': 'local', 'persistent': true, 'path': `${stateDir}/${source.name}-cursor.json` } })],
    }),
    FluentdSection.label(label, output),
  ];
}

/**
 * A syslog source as Fluentd directives: fluentd's `syslog` input on a host port (UDP or
 * TCP), its `syslog` parser in the declared format, the priority as `facility` and
 * `severity` names (the input takes `pri` out of the record and appends them to the tag:
 * `<tag>.<facility>.<severity>`), into the stream's output.
 * @see https://docs.fluentd.org/input/syslog
 */
export function syslogSourceDirectives(source: SyslogSource, output: (pattern: string, id: string, dataStream: string) => FluentdSection[]): FluentdSection[] {
  const label = routeLabel(source.name);
  return [
    FluentdSection.source('syslog', {
      id: `in_${source.name}`,
      label,
      params: { port: source.port, bind: '0.0.0.0', tag: source.tag, severity_key: 'severity', facility_key: 'facility' },
      sections: [
        FluentdSection.section('transport', { argument: source.mode }),
        FluentdSection.parse('syslog', { params: { message_format: source.rfc3164 ? 'rfc3164' : 'rfc5424' } }),
      ],
    }),
    FluentdSection.label(label, output(`${source.tag}.**`, `out_es_${source.name}`, source.stream.family)),
  ];
}
