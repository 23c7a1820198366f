import { DIST, WORKLOAD_KINDS, manifestObjects, readTree } from './helpers/dist';

describe('dist/ carries no secret material', () => {
  // Separators stay on one line ([ \t]), so `password:` followed by a valueFrom on the
  // next line is not a hit; the keyword may follow '_' or '-' (ELASTIC_PASSWORD=...).
  const SECRET_PATTERNS: [string, RegExp][] = [
    ['a PEM private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
    ['a certificate', /-----BEGIN CERTIFICATE-----/],
    // A value that starts with '/' is a file path (a mounted Secret), and fluentd's
    // "#{ENV['X']}" reads a variable set from a secretKeyRef: neither is the password.
    ['a password literal', /(^|[^A-Za-z0-9${])(password|passwd|pwd)["']?[ \t]*[:= \t][ \t]*["']?(?!\/|#\{ENV\[|%\{)[^\s"',}$]{3,}/im],
    ['a token literal', /(^|[^A-Za-z0-9${])([a-z_]*token|api[_-]?key|[a-z_]*secret)["']?[ \t]*[:= \t][ \t]*["']?[A-Za-z0-9+/=_-]{16,}/im],
    // *_FILE variables name a file (ELASTIC_PASSWORD_FILE), not the secret.
    ['a credential in an env value', /name:[ \t]*["']?[A-Z0-9_]*(PASSWORD|TOKEN|SECRET|API_KEY)(?![A-Z0-9_]*_FILE\b)[A-Z0-9_]*["']?[ \t]*\n[ \t]*value:/],
    ['an Authorization header', /\b(Basic|Bearer)[ \t]+[A-Za-z0-9+/=._-]{8,}/],
    ['credentials on a curl command line', /(^|\s)(-u|--user)[ \t]+["']?[^\s:"'$]+:[^\s"']+/m],
    ['a JSON web token', /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./],
    ['an AWS access key', /AKIA[0-9A-Z]{16}/],
  ];

  test('the scan finds what it looks for, and not references to Secrets', () => {
    const samples: { [what: string]: string[] } = {
      'a PEM private key': ['-----BEGIN RSA PRIVATE KEY-----'],
      'a certificate': ['-----BEGIN CERTIFICATE-----'],
      'a password literal': ['elasticsearch.password: changeme', 'ELASTIC_PASSWORD=changeme', '--password=hunter2', '  password changeme'],
      'a token literal': ['token: abcdefghijklmnopqrstuvwxyz012345', 'access_token: abcdefghijklmnopqrstuvwxyz', 'client_secret = abcdefghijklmnopqrstuvwxyz'],
      'a credential in an env value': ['- name: ELASTIC_PASSWORD\n  value: changeme', '- name: ELASTIC_PASSWORD_FILES_ARE_NOT\n  value: x'],
      'an Authorization header': ['Authorization: Basic ZWxhc3RpYzpjaGFuZ2VtZQ=='],
      'credentials on a curl command line': ['curl -u elastic:changeme https://es:9200'],
      'a JSON web token': ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig'],
      'an AWS access key': ['AKIAABCDEFGHIJKLMNOP'],
    };
    for (const [what, pattern] of SECRET_PATTERNS) {
      for (const sample of samples[what]) expect({ what, sample, found: pattern.test(sample) }).toEqual({ what, sample, found: true });
    }
    const references = [
      '- name: ELASTIC_PASSWORD\n  valueFrom:\n    secretKeyRef:\n      name: es-credentials',
      'password:\n  valueFrom: x', 'passwordFile: /etc/credentials/password', 'curl -u "$USER:$PASSWORD" https://es:9200',
      'automountServiceAccountToken: false',
      'create_secret "$NS" \'x\' username=/tmp/username password=/tmp/password',
      '- name: ELASTIC_PASSWORD_FILE\n  value: /mnt/elastic-credentials/password',
      'elasticsearch.serviceAccountToken: ${KIBANA_ELASTICSEARCH_SERVICE_TOKEN}',
      `password "#{ENV['FLUENT_ELASTICSEARCH_PASSWORD']}"`,
    ];
    for (const text of references) expect({ text, hits: SECRET_PATTERNS.filter(([, p]) => p.test(text)).map(([w]) => w) }).toEqual({ text, hits: [] });
  });

  test('no file in dist/ matches', () => {
    const files = readTree(DIST);
    expect(files.size).toBeGreaterThan(5);
    const hits = [...files].flatMap(([file, text]) => SECRET_PATTERNS.filter(([, p]) => p.test(text)).map(([what]) => `${file}: ${what}`));
    expect(hits).toEqual([]);
    // No Secret object carries data either.
    expect(manifestObjects(files).filter((o) => o.kind === 'Secret')).toEqual([]);
  });
});

describe('RBAC: exactly what each component needs', () => {
  // The manifests kubectl applies; dist/apiserver and dist/kubearmor hold node files and patches.
  const objects = manifestObjects(readTree(DIST));

  test('every Role and ClusterRole, rule by rule', () => {
    const roles = objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')
      .map((o) => ({
        kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name,
        rules: o.rules.map((r: any) => ({ apiGroups: r.apiGroups, resources: r.resources, verbs: r.verbs, resourceNames: r.resourceNames ?? [] })),
      }));
    // Creating a Secret cannot be limited to names (the name is not known when the
    // request is authorized); reading is limited to the Secrets the Job makes.
    const secretWriter = (names: string[]) => [
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'], resourceNames: [] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: names },
    ];
    expect(roles).toEqual([
      {
        kind: 'ClusterRole', namespace: undefined, name: 'security-logging-agents-fluentd',
        // kubernetes_metadata: pod and namespace metadata, read-only.
        rules: [
          { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'], resourceNames: [] },
          { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'], resourceNames: [] },
        ],
      },
      // The bootstrap Jobs: the CA, the certificates and the elastic password.
      { kind: 'Role', namespace: 'security-logging', name: 'elasticsearch-bootstrap',
        rules: secretWriter(['elasticsearch-ca', 'elasticsearch-certs', 'elasticsearch-elastic-credentials']) },
      { kind: 'Role', namespace: 'security-logging', name: 'kibana-bootstrap', rules: secretWriter(['elasticsearch-ca', 'kibana-certs', 'kibana-encryption-keys']) },
      {
        kind: 'ClusterRole', namespace: undefined, name: 'security-logging-kubernetes-events',
        // kubernetes_events: the cluster's events, read-only.
        rules: [{ apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'], resourceNames: [] }],
      },
      // The setup Job: each consumer's credentials Secret, in the consumer's namespace.
      { kind: 'Role', namespace: 'security-logging', name: 'elasticsearch-setup', rules: secretWriter(['kibana-elasticsearch', 'kubernetes-events-elasticsearch']) },
      { kind: 'Role', namespace: 'security-logging-agents', name: 'elasticsearch-setup', rules: secretWriter(['fluentd-elasticsearch']) },
    ]);
  });

  test('every binding: which role, to whom', () => {
    const bindings = objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')
      .map((o) => ({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name, roleRef: o.roleRef, subjects: o.subjects }));
    const role = (name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name });
    const account = (name: string) => [{ kind: 'ServiceAccount', name, namespace: 'security-logging' }];
    expect(bindings).toEqual([
      {
        kind: 'ClusterRoleBinding', namespace: undefined, name: 'security-logging-agents-fluentd',
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'security-logging-agents-fluentd' },
        subjects: [{ apiGroup: '', kind: 'ServiceAccount', name: 'fluentd', namespace: 'security-logging-agents' }],
      },
      { kind: 'RoleBinding', namespace: 'security-logging', name: 'elasticsearch-bootstrap', roleRef: role('elasticsearch-bootstrap'), subjects: account('elasticsearch-bootstrap') },
      { kind: 'RoleBinding', namespace: 'security-logging', name: 'kibana-bootstrap', roleRef: role('kibana-bootstrap'), subjects: account('kibana-bootstrap') },
      {
        kind: 'ClusterRoleBinding', namespace: undefined, name: 'security-logging-kubernetes-events',
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'security-logging-kubernetes-events' },
        subjects: [{ apiGroup: '', kind: 'ServiceAccount', name: 'kubernetes-events', namespace: 'security-logging' }],
      },
      { kind: 'RoleBinding', namespace: 'security-logging', name: 'elasticsearch-setup', roleRef: role('elasticsearch-setup'), subjects: account('elasticsearch-setup') },
      // Across namespaces: the setup Job's account, in the agents' namespace.
      { kind: 'RoleBinding', namespace: 'security-logging-agents', name: 'elasticsearch-setup', roleRef: role('elasticsearch-setup'), subjects: account('elasticsearch-setup') },
    ]);
  });

  test('only the pods that call the API get a service-account token, each with its own account', () => {
    const pods = objects.filter((o) => WORKLOAD_KINDS.includes(o.kind))
      .map((o) => [o.kind, o.metadata.name.replace(/-[0-9a-f]{10}$/, ''), o.spec.template.spec]);
    const withToken = pods.filter(([, , spec]) => spec.automountServiceAccountToken !== false)
      .map(([kind, name, spec]) => `${kind}/${name} as ${spec.serviceAccountName}`);
    expect(withToken).toEqual([
      'DaemonSet/fluentd as fluentd',
      'Job/elasticsearch-bootstrap as elasticsearch-bootstrap',
      'Job/kibana-bootstrap as kibana-bootstrap',
      'Deployment/kubernetes-events as kubernetes-events',
      'Job/elasticsearch-setup as elasticsearch-setup',
    ]);
    // ServiceAccounts never mount tokens by default; the pods above ask for theirs.
    for (const account of objects.filter((o) => o.kind === 'ServiceAccount')) expect(account.automountServiceAccountToken).toBe(false);
  });

  test('every pod runs with the RuntimeDefault seccomp profile', () => {
    const pods = objects.filter((o) => WORKLOAD_KINDS.includes(o.kind));
    expect(pods.length).toBeGreaterThan(5);
    for (const o of pods) expect({ name: o.metadata.name, seccomp: o.spec.template.spec.securityContext?.seccompProfile }).toEqual({ name: o.metadata.name, seccomp: { type: 'RuntimeDefault' } });
  });
});
