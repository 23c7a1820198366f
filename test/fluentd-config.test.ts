import { FluentdConfig, FluentdSection } from '../src/fluentd/fluentd-config';

const render = (section: FluentdSection) => section.render().join('\n');

describe('fluentd directives render as fluentd reads them', () => {
  test('<source> with @id, @label, params and a <parse> section', () => {
    expect(render(FluentdSection.source('tail', {
      id: 'in_tail',
      label: '@APP',
      params: { path: '/var/log/app/*.log', read_from_head: true, refresh_interval: 10 },
      sections: [FluentdSection.parse('cri')],
    }))).toBe([
      '<source>',
      '  @type tail',
      '  @id in_tail',
      '  @label @APP',
      '  path /var/log/app/*.log',
      '  read_from_head true',
      '  refresh_interval 10',
      '  <parse>',
      '    @type cri',
      '  </parse>',
      '</source>',
    ].join('\n'));
  });

  test('<filter pattern>', () => {
    expect(render(FluentdSection.filter('kubernetes.**', 'kubernetes_metadata', { params: { skip_master_url: true } })))
      .toBe('<filter kubernetes.**>\n  @type kubernetes_metadata\n  skip_master_url true\n</filter>');
  });

  test('<match pattern> with a <buffer> section', () => {
    expect(render(FluentdSection.match('app.**', 'stdout', {
      sections: [FluentdSection.buffer('memory', '', { params: { flush_interval: '5s' } })],
    }))).toBe('<match app.**>\n  @type stdout\n  <buffer>\n    @type memory\n    flush_interval 5s\n  </buffer>\n</match>');
  });

  test('<buffer chunk keys>', () => {
    expect(render(FluentdSection.buffer('file', 'tag,time', { params: { path: '/b', timekey: 3600 } })))
      .toBe('<buffer tag,time>\n  @type file\n  path /b\n  timekey 3600\n</buffer>');
  });

  test('<label> holding directives', () => {
    expect(render(FluentdSection.label('@ERROR', [FluentdSection.match('**', 'null')])))
      .toBe('<label @ERROR>\n  <match **>\n    @type null\n  </match>\n</label>');
  });

  test('<format>', () => {
    expect(render(FluentdSection.format('json'))).toBe('<format>\n  @type json\n</format>');
  });

  test('<system> with a nested <log> section', () => {
    expect(render(FluentdSection.system({
      params: { log_level: 'warn' },
      sections: [FluentdSection.section('log', { params: { format: 'json' } })],
    }))).toBe('<system>\n  log_level warn\n  <log>\n    format json\n  </log>\n</system>');
  });

  test('@include', () => {
    expect(render(FluentdSection.include('conf.d/*.conf'))).toBe('@include conf.d/*.conf');
  });

  test('raw text is the escape hatch, indented to its place', () => {
    const label = FluentdSection.label('@X', [FluentdSection.raw('<match **>\n  @type null\n</match>\n')]);
    expect(render(label)).toBe('<label @X>\n  <match **>\n    @type null\n  </match>\n</label>');
  });

  test('a whole file: directives separated by blank lines, final newline', () => {
    const config = new FluentdConfig([FluentdSection.include('a.conf')]);
    config.add(FluentdSection.include('b.conf'));
    expect(config.render()).toBe('@include a.conf\n\n@include b.conf\n');
    expect(config.all).toHaveLength(2);
  });
});

describe('fluentd values', () => {
  const value = (v: unknown) => render(FluentdSection.section('x', { params: { k: v } })).split('\n')[1].slice(4);

  test('plain values stay plain', () => {
    expect(value('/var/log/containers/*.log')).toBe('/var/log/containers/*.log');
    expect(value('%Y.%m.%d')).toBe('%Y.%m.%d');
    expect(value(8)).toBe('8');
    expect(value(false)).toBe('false');
  });

  test('values with spaces, quotes, # or backslashes are single-quoted and escaped', () => {
    expect(value('')).toBe("''");
    expect(value('a b')).toBe("'a b'");
    expect(value("it's")).toBe("'it\\'s'");
    expect(value('a\\d')).toBe("'a\\\\d'");
    expect(value('# not a comment')).toBe("'# not a comment'");
  });

  test('Ruby interpolation is never produced: #{...} is single-quoted', () => {
    expect(value('#{ENV["X"]}')).toBe('\'#{ENV["X"]}\'');
  });

  test('values starting with [ or { are quoted, so fluentd does not read them as JSON', () => {
    expect(value('[a]')).toBe("'[a]'");
  });

  test('arrays become JSON arrays', () => {
    expect(value(['/a/*.log', '/b c'])).toBe('["/a/*.log","/b c"]');
  });

  test('undefined params are left out', () => {
    expect(render(FluentdSection.section('x', { params: { a: undefined, b: 1 } }))).toBe('<x>\n  b 1\n</x>');
  });

  test('getters return copies', () => {
    const section = FluentdSection.source('tail', { params: { path: '/x' }, sections: [FluentdSection.parse('none')] });
    section.params.path = '/y';
    section.sections.pop();
    expect(section.params.path).toBe('/x');
    expect(section.sections).toHaveLength(1);
    expect(section.type).toBe('tail');
  });
});

describe('fluentd model rejects what fluentd would misread', () => {
  test.each([
    ['a multi-line value', () => FluentdSection.section('x', { params: { k: 'a\nb' } }), /param k: values must be a single line/],
    ['a non-finite number', () => FluentdSection.section('x', { params: { k: NaN } }), /numbers must be finite/],
    ['an object value', () => FluentdSection.section('x', { params: { k: {} } }), /strings, finite numbers, booleans or arrays/],
    ['#{ in an array item', () => FluentdSection.section('x', { params: { k: ['#{x}'] } }), /would run it as Ruby/],
    ['a bad param name', () => FluentdSection.section('x', { params: { 'a b': 1 } }), /param name "a b" is invalid/],
    ['a bad section name', () => FluentdSection.section('X Y'), /section name must be/],
    ['a bad plugin type', () => FluentdSection.source('ta il'), /@type must be a plugin name/],
    ['@type in params', () => FluentdSection.source('tail', { params: { '@type': 'x' } }), /set through its own option/],
    ['a label without @', () => FluentdSection.label('ERROR', []), /label name must start with '@'/],
    ['a pattern with >', () => FluentdSection.match('a>b', 'null'), /argument must be a non-empty single line/],
    ['an empty include', () => FluentdSection.include(''), /@include path must be/],
  ])('fails on %s', (_name, build, message) => {
    expect(build).toThrow(message);
  });
});
