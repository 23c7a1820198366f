import { evaluateCondition, runPipeline } from './helpers/ingest-model';
import { IngestCondition, IngestConvertType, IngestDateFormat, IngestPipeline, IngestProcessor } from '../src';

const C = IngestCondition;
const P = IngestProcessor;

describe('IngestCondition renders Painless', () => {
  test.each([
    ['present', C.present('kubernetes.audit.objectRef.namespace'),
      "ctx.kubernetes?.audit?.objectRef?.namespace != null && ctx.kubernetes?.audit?.objectRef?.namespace != ''"],
    ['equals', C.is('falco.priority', "Crit'ical"), "ctx.falco?.priority == 'Crit\\'ical'"],
    ['oneOf', C.oneOf('event.action', ['get', 'list']), "['get', 'list'].contains(ctx.event?.action)"],
    ['startsWith', C.startsWith('user.name', 'system:'), "ctx.user?.name instanceof String && ctx.user?.name.startsWith('system:')"],
    ['below', C.below('http.response.status_code', 400), 'ctx.http?.response?.status_code instanceof Number && ctx.http?.response?.status_code < 400'],
    ['and / or / not', C.and(C.is('a', 'x'), C.or(C.absent('b'), C.atLeast('c', 2))),
      "(ctx.a == 'x') && ((!(ctx.b != null && ctx.b != '')) || (ctx.c instanceof Number && ctx.c >= 2))"],
  ])('%s', (_name, condition, painless) => {
    expect(condition.painless).toBe(painless);
  });

  test('fails on field names the subset cannot address', () => {
    expect(() => C.present('output_fields.k8s pod')).toThrow(/dotted name of letters, digits, _, \/ and - .*"output_fields.k8s pod"/);
    expect(() => C.present('a..b')).toThrow(/dotted name/);
    expect(() => C.oneOf('a', [])).toThrow(/non-empty list/);
    expect(() => C.not('a' as any)).toThrow(/must be an IngestCondition/);
    expect(() => C.below('a', Number.NaN)).toThrow(/finite number/);
    expect(C.is('event.new', 'x').painless).toBe("ctx.event?.get('new') == 'x'");
    expect(C.is('kubernetes.audit.annotations.authorization_k8s_io/decision', 'allow').painless)
      .toBe("ctx.kubernetes?.audit?.annotations?.get('authorization_k8s_io/decision') == 'allow'");
    expect(C.present('@timestamp').painless).toBe("ctx['@timestamp'] != null && ctx['@timestamp'] != ''");
  });
});

describe('the Painless subset interpreter', () => {
  const doc = { a: 'x', n: 404, list: ['p', 'q'], obj: { b: { c: 'deep' } }, empty: '' };

  test.each([
    ["ctx.a == 'x'", true],
    ["ctx.a != 'x'", false],
    ['ctx.missing?.b == null', true],
    ["ctx.obj?.b?.c == 'deep'", true],
    ['ctx.n instanceof Number && ctx.n >= 400', true],
    ['ctx.a instanceof Number && ctx.a < 400', false],
    ["['p', 'z'].contains(ctx.a)", false],
    ["ctx.list instanceof List && ctx.list.contains('q')", true],
    ["ctx.a instanceof String && ctx.a.startsWith('x')", true],
    ["ctx.empty != null && ctx.empty != ''", false],
    ["!(ctx.a == 'x') || (ctx.n < 500)", true],
    // Short-circuit: the right side would throw (a number compared with null).
    ['ctx.missing instanceof Number && ctx.missing < 1', false],
    ["ctx.a == 'x' || ctx.missing < 1", true],
  ])('%s is %s', (source, expected) => {
    expect(evaluateCondition(source, doc)).toBe(expected);
  });

  test('throws where Painless throws, and on text outside the subset', () => {
    expect(() => evaluateCondition('ctx.missing < 1', doc)).toThrow(/NullPointerException|ClassCastException/);
    expect(() => evaluateCondition('ctx.missing.b == null', doc)).toThrow(/NullPointerException/);
    expect(() => evaluateCondition("ctx.a =~ /x/", doc)).toThrow(/unexpected/);
    expect(() => evaluateCondition("ctx.a.substring(1) == 'x'", doc)).toThrow(/substring\(\)/);
  });

  test('keys that are no Painless names are read with get()', () => {
    const audit = { '@timestamp': 't', 'kubernetes': { audit: { annotations: { 'authorization_k8s_io/decision': 'allow' } } }, 'event': { new: 1 } };
    expect(evaluateCondition(C.is('kubernetes.audit.annotations.authorization_k8s_io/decision', 'allow').painless, audit)).toBe(true);
    expect(evaluateCondition(C.present('@timestamp').painless, audit)).toBe(true);
    expect(evaluateCondition(C.isNumber('event.new', 1).painless, audit)).toBe(true);
    expect(evaluateCondition(C.present('kubernetes.audit.annotations.other-key').painless, audit)).toBe(false);
  });

  test('every condition IngestCondition makes is read back by the interpreter as the same truth', () => {
    const cases: Array<[IngestCondition, boolean]> = [
      [C.present('obj.b.c'), true], [C.present('empty'), false], [C.absent('missing.x'), true],
      [C.is('a', 'x'), true], [C.oneOf('a', ['y', 'x']), true], [C.startsWith('a', 'y'), false],
      [C.contains('list', 'p'), true], [C.contains('a', 'x'), true], [C.contains('n', '4'), false],
      [C.below('n', 405), true], [C.atLeast('n', 405), false], [C.below('a', 1), false],
      [C.and(C.present('a'), C.not(C.present('missing'))), true], [C.or(C.absent('a'), C.is('obj.b.c', 'nope')), false],
    ];
    for (const [condition, expected] of cases) expect([condition.painless, evaluateCondition(condition.painless, doc)]).toEqual([condition.painless, expected]);
  });
});

describe('IngestPipeline', () => {
  const pipeline = new IngestPipeline({
    name: 'seclog-test',
    description: 'test',
    processors: [
      P.set('event.kind', '"alert"'),
      P.set('event.category', '["intrusion_detection"]'),
      P.rename('priority', 'falco.priority'),
      P.date('time', '@timestamp', [IngestDateFormat.ISO8601]),
      P.set('event.severity', '2', { when: C.is('falco.priority', 'Critical') }),
      P.copy('output_fields.k8s_pod_name', 'kubernetes.pod.name'),
      P.convert('code', IngestConvertType.LONG, 'http.response.status_code'),
      P.lowercase('falco.priority', 'log.level'),
      P.append('tags', ['falco']),
      P.set('event.module', '"falco"', { override: false }),
      P.remove(['code']),
      P.pipeline('seclog-test@custom', true),
    ],
  });

  test('renders the body of PUT _ingest/pipeline', () => {
    expect(pipeline.toJson()).toEqual({
      description: 'test',
      version: 1,
      processors: [
        { set: { field: 'event.kind', value: 'alert' } },
        { set: { field: 'event.category', value: ['intrusion_detection'] } },
        { rename: { field: 'priority', target_field: 'falco.priority', ignore_missing: true } },
        { date: { field: 'time', target_field: '@timestamp', formats: ['ISO8601'], timezone: 'UTC', output_format: "yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX", if: "ctx.time != null && ctx.time != ''" } },
        { set: { field: 'event.severity', value: 2, if: "ctx.falco?.priority == 'Critical'" } },
        { set: { field: 'kubernetes.pod.name', copy_from: 'output_fields.k8s_pod_name', ignore_empty_value: true, if: "ctx.output_fields?.k8s_pod_name != null && ctx.output_fields?.k8s_pod_name != ''" } },
        { convert: { field: 'code', type: 'long', target_field: 'http.response.status_code', ignore_missing: true } },
        { lowercase: { field: 'falco.priority', target_field: 'log.level', ignore_missing: true } },
        { append: { field: 'tags', value: ['falco'], allow_duplicates: false } },
        { set: { field: 'event.module', value: 'falco', override: false } },
        { remove: { field: ['code'], ignore_missing: true } },
        { pipeline: { name: 'seclog-test@custom', ignore_missing_pipeline: true } },
      ],
      on_failure: [
        { set: { field: 'event.kind', value: 'pipeline_error' } },
        { set: { field: 'error.message', copy_from: '_ingest.on_failure_message' } },
        { append: { field: 'tags', value: ['pipeline_error'], allow_duplicates: false } },
      ],
    });
  });

  test('the model runs it: nanosecond time, conditions, copies, and the missing @custom hook skipped', () => {
    const out = runPipeline(pipeline.toJson() as any, {
      time: '2025-11-20T09:14:03.123456789Z', priority: 'Critical', code: '403', output_fields: { k8s_pod_name: 'web-1' }, tags: ['x'], event: { module: 'kept' },
    });
    expect(out).toEqual({
      '@timestamp': '2025-11-20T09:14:03.123456789Z',
      'time': '2025-11-20T09:14:03.123456789Z',
      'event': { kind: 'alert', category: ['intrusion_detection'], severity: 2, module: 'kept' },
      'falco': { priority: 'Critical' },
      'output_fields': { k8s_pod_name: 'web-1' },
      'kubernetes': { pod: { name: 'web-1' } },
      'http': { response: { status_code: 403 } },
      'log': { level: 'critical' },
      'tags': ['x', 'falco'],
    });
  });

  test('a processor that fails leaves the document marked, not lost', () => {
    const failing = new IngestPipeline({ name: 'p', description: 'd', processors: [P.set('a', '1'), P.convert('code', IngestConvertType.LONG)] });
    expect(runPipeline(failing.toJson() as any, { code: 'abc' })).toEqual({
      a: 1, code: 'abc', event: { kind: 'pipeline_error' }, error: { message: 'unable to convert [abc] to long' }, tags: ['pipeline_error'],
    });
  });

  test('dates: epoch seconds with a fraction, milliseconds, and a zone offset', () => {
    const p = (formats: IngestDateFormat[]) => new IngestPipeline({ name: 'd', description: 'd', processors: [P.date('t', '@timestamp', formats)] }).toJson() as any;
    expect(runPipeline(p([IngestDateFormat.UNIX]), { t: 1732000000.5 })['@timestamp']).toBe('2024-11-19T07:06:40.500000000Z');
    // Elasticsearch keeps milliseconds of epoch seconds (elastic/elasticsearch#86106).
    expect(runPipeline(p([IngestDateFormat.UNIX]), { t: '1732000000.123456' })['@timestamp']).toBe('2024-11-19T07:06:40.123000000Z');
    expect(runPipeline(p([IngestDateFormat.UNIX_MS]), { t: '1732000000123' })['@timestamp']).toBe('2024-11-19T07:06:40.123000000Z');
    expect(runPipeline(p([IngestDateFormat.ISO8601]), { t: '2024-11-19T09:06:40.1+02:00' })['@timestamp']).toBe('2024-11-19T07:06:40.100000000Z');
  });

  test('grok: the first pattern that matches sets its fields; no match and no field leave the document as it is', () => {
    const grok = P.grok('message', [
      '^Accepted %{WORD:auth} for %{USERNAME:user.name} from %{NOTSPACE:source.ip} port %{POSINT:source.port}',
      '^(?:.*/)?%{BASENAME:process.name}$',
    ], { BASENAME: '[^/]+' });
    expect(grok.toJson()).toEqual({ grok: {
      field: 'message', ignore_missing: true, ignore_failure: true, pattern_definitions: { BASENAME: '[^/]+' },
      patterns: ['^Accepted %{WORD:auth} for %{USERNAME:user.name} from %{NOTSPACE:source.ip} port %{POSINT:source.port}', '^(?:.*/)?%{BASENAME:process.name}$'],
    } });
    const p = new IngestPipeline({ name: 'g', description: 'd', processors: [grok] }).toJson() as any;
    expect(runPipeline(p, { message: 'Accepted publickey for ops from 10.0.0.5 port 50122 ssh2' }))
      .toMatchObject({ auth: 'publickey', user: { name: 'ops' }, source: { ip: '10.0.0.5', port: '50122' } });
    expect(runPipeline(p, { message: '/usr/bin/apt' })).toMatchObject({ process: { name: 'apt' } });
    expect(runPipeline(p, { message: '' })).toEqual({ message: '' });
    expect(runPipeline(p, { other: 1 })).toEqual({ other: 1 });
  });

  test('dot_expander makes a dotted key an object path, which a rename then moves', () => {
    const p = new IngestPipeline({ name: 'd', description: 'd', processors: [
      P.dotExpander('authorization.k8s.io/decision', 'annotations'),
      P.rename('annotations.authorization.k8s.io/decision', 'annotations.authorization_k8s_io/decision'),
    ] }).toJson() as any;
    expect(p.processors[0]).toEqual({ dot_expander: { field: 'authorization.k8s.io/decision', path: 'annotations' } });
    expect(runPipeline(p, { annotations: { 'authorization.k8s.io/decision': 'allow', 'other': 1 } }))
      .toEqual({ annotations: { 'authorization_k8s_io/decision': 'allow', 'authorization': { k8s: {} }, 'other': 1 } });
    expect(runPipeline(p, { annotations: { other: 1 } })).toEqual({ annotations: { other: 1 } });
  });

  test.each([
    ['dot_expander of a key without dots', () => P.dotExpander('plain', 'a'), /key must be a name holding dots/],
    ['grok with an unknown pattern', () => P.grok('m', ['%{IPV4:source.ip}']), /%\{IPV4:source.ip\} must name one of WORD, NOTSPACE/],
    ['grok with a type conversion', () => P.grok('m', ['%{POSINT:n:int}']), /and at most a field/],
    ['grok with a definition that nests a pattern', () => P.grok('m', ['%{X:a}'], { X: '%{WORD}' }), /a plain regular expression/],
    ['no name', () => new IngestPipeline({ name: 'Bad Name', description: 'd', processors: [P.set('a', '1')] }), /ingest pipeline name must be lowercase/],
    ['no processors', () => new IngestPipeline({ name: 'p', description: 'd', processors: [] }), /non-empty list of IngestProcessor/],
    ['a processor that is not one', () => new IngestPipeline({ name: 'p', description: 'd', processors: [{ set: {} } as any] }), /non-empty list of IngestProcessor/],
    ['set with a template', () => P.set('a', '"{{b}}"'), /must not hold a \{\{template\}\}/],
    ['set with no JSON', () => P.set('a', 'alert'), /value must be JSON/],
    ['set with null', () => P.set('a', 'null'), /string, number, boolean or list of strings/],
    ['date with an unknown format', () => P.date('t', '@timestamp', ['yyyy'] as any), /formats must be a non-empty list of ISO8601, UNIX, UNIX_MS/],
    ['convert to an unknown type', () => P.convert('a', 'float' as any), /type must be one of integer, long/],
    ['remove nothing', () => P.remove([]), /fields must be a non-empty list/],
    ['when that is no condition', () => P.set('a', '1', { when: "ctx.a == 1" as any }), /set when: must be an IngestCondition/],
  ])('fails on %s', (_name, make, message) => {
    expect(make).toThrow(message);
  });
});
