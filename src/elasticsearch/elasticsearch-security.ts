import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { Certificate, CertificateSpecIssuerRef } from '../../imports/cert-manager.io';
import { certManagerImports } from '../common/crd-imports';
import { appLabels } from '../common/labels';
import { SECRET_FUNCTIONS, secretLabelsLine } from '../common/secret-script';
import { createSetupJob } from '../common/setup-job';
import { validateDnsSubdomain, validateInteger } from '../common/validation';

/** Kind of the cert-manager issuer that signs the stack's certificates. */
export enum CertificateIssuerKind {
  /** A namespaced `Issuer`, in the namespace of the certificates. */
  ISSUER = 'Issuer',
  /** A cluster-wide `ClusterIssuer`. */
  CLUSTER_ISSUER = 'ClusterIssuer',
}

/** Options of {@link ElasticsearchSecurity.certManager}. */
export interface CertManagerOptions {
  /** Name of the issuer that signs the certificates; it must exist, cert-manager does not create it. */
  readonly issuerName: string;

  /**
   * Kind of the issuer.
   * @default CertificateIssuerKind.ISSUER
   */
  readonly issuerKind?: CertificateIssuerKind;
}

/** Options of {@link ElasticsearchSecurity.bootstrapJob}. */
export interface BootstrapJobCertificateOptions {
  /**
   * Days the servers' certificates are valid.
   * @default 1095
   */
  readonly certificateValidityDays?: number;

  /**
   * Days the CA is valid; longer than the certificates, so that new certificates
   * can be signed by the same CA when the old ones run out.
   * @default 3650
   */
  readonly caValidityDays?: number;
}

/** How the certificates of a secured cluster are made. */
export enum ElasticsearchCertificateSource {
  /** A bootstrap Job creates a CA and the certificates in the cluster. */
  BOOTSTRAP_JOB = 'bootstrap-job',
  /** cert-manager `Certificate`s from an issuer the user names. */
  CERT_MANAGER = 'cert-manager',
}

/**
 * Whether and how Elasticsearch security (TLS on HTTP and transport, authentication)
 * is set up. Certificates and passwords are made in the cluster at deploy time,
 * never at synth time, so no secret is ever in the manifests.
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/manually-configure-security.html
 */
export class ElasticsearchSecurity {
  /**
   * The default: a bootstrap Job creates, once, a certificate authority, the nodes'
   * certificate and the `elastic` password as Secrets; Secrets that exist are kept.
   * Renewal: see the README.
   */
  public static bootstrapJob(options: BootstrapJobCertificateOptions = {}): ElasticsearchSecurity {
    const certificateDays = options.certificateValidityDays ?? 1095;
    const caDays = options.caValidityDays ?? 3650;
    validateInteger('elasticsearch security bootstrapJob certificateValidityDays', certificateDays, 30, 36500);
    validateInteger('elasticsearch security bootstrapJob caValidityDays', caDays, 30, 36500);
    if (caDays < certificateDays) {
      throw new Error(
        `elasticsearch security bootstrapJob caValidityDays (${caDays}) must be at least certificateValidityDays (${certificateDays}): ` +
        'a certificate cannot outlive the CA that signed it',
      );
    }
    return new ElasticsearchSecurity(true, ElasticsearchCertificateSource.BOOTSTRAP_JOB, certificateDays, caDays);
  }

  /**
   * Certificates from cert-manager: a `Certificate` per server, signed by the issuer
   * named here, renewed by cert-manager. The issuer must put `ca.crt` into the
   * certificate Secrets (CA and self-signed issuers do). Passwords still come from the
   * bootstrap Job. Elasticsearch reloads renewed certificates itself; Kibana needs a
   * restart after each renewal.
   * @see https://cert-manager.io/docs/usage/certificate/
   */
  public static certManager(options: CertManagerOptions): ElasticsearchSecurity {
    if (!options || typeof options.issuerName !== 'string') {
      throw new Error(`elasticsearch security certManager issuerName is required, got ${JSON.stringify(options?.issuerName)}`);
    }
    validateDnsSubdomain('elasticsearch security certManager issuerName', options.issuerName);
    const kind = options.issuerKind ?? CertificateIssuerKind.ISSUER;
    if (!Object.values(CertificateIssuerKind).includes(kind)) {
      throw new Error(
        `elasticsearch security certManager issuerKind must be one of ${Object.values(CertificateIssuerKind).join(', ')}, got ${JSON.stringify(kind)}`,
      );
    }
    return new ElasticsearchSecurity(true, ElasticsearchCertificateSource.CERT_MANAGER, undefined, undefined, options.issuerName, kind);
  }

  /**
   * No TLS and no authentication: anyone who reaches the Service can read and delete
   * every index. For a throw-away development cluster only.
   */
  public static disabledForDevelopmentOnly(): ElasticsearchSecurity {
    return new ElasticsearchSecurity(false, undefined);
  }

  private constructor(
    /** Whether TLS and authentication are on. */
    public readonly enabled: boolean,
    /** Where certificates come from (undefined when disabled). */
    public readonly certificateSource: ElasticsearchCertificateSource | undefined,
    /** Validity of bootstrap-Job certificates, in days. */
    public readonly certificateValidityDays?: number,
    /** Validity of the bootstrap-Job CA, in days. */
    public readonly caValidityDays?: number,
    /** cert-manager issuer name. */
    public readonly issuerName?: string,
    /** cert-manager issuer kind. */
    public readonly issuerKind?: CertificateIssuerKind,
  ) {}
}

/** The names a Service answers to in the cluster, short to fully qualified: a server certificate's DNS names. */
export function serviceDnsNames(service: string, namespace: string, clusterDomain: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.${clusterDomain}`];
}

/** One server certificate: the Secret it lands in (`ca.crt`, `tls.crt`, `tls.key`) and its DNS names. */
export interface ServerCertificate {
  readonly secretName: string;
  /** File-name stem inside the certutil bundle. */
  readonly name: string;
  readonly dnsNames: string[];
  readonly labels: { [key: string]: string };
}

/**
 * A cert-manager Certificate for a server (RSA 2048 key in PKCS#8, which Elasticsearch
 * and Kibana both read, rotated on renewal).
 * @see https://cert-manager.io/docs/reference/api-docs/#cert-manager.io/v1.CertificateSpec
 */
export function certManagerCertificate(scope: Construct, id: string, security: ElasticsearchSecurity, cert: ServerCertificate): Certificate {
  const cm = certManagerImports();
  const issuerRef: CertificateSpecIssuerRef = {
    name: security.issuerName as string,
    kind: security.issuerKind as string,
    group: 'cert-manager.io',
  };
  return new cm.Certificate(scope, id, {
    metadata: { name: cert.secretName, labels: cert.labels },
    spec: {
      secretName: cert.secretName,
      secretTemplate: { labels: cert.labels },
      commonName: cert.dnsNames[0],
      dnsNames: cert.dnsNames,
      issuerRef,
      duration: `${Duration.days(90).toHours()}h`,
      renewBefore: `${Duration.days(30).toHours()}h`,
      privateKey: {
        algorithm: cm.CertificateSpecPrivateKeyAlgorithm.RSA,
        size: 2048,
        encoding: cm.CertificateSpecPrivateKeyEncoding.PKCS8,
        rotationPolicy: cm.CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
      },
      // Transport TLS uses the node certificate both ways.
      usages: [
        cm.CertificateSpecUsages.SERVER_AUTH, cm.CertificateSpecUsages.CLIENT_AUTH, cm.CertificateSpecUsages.DIGITAL_SIGNATURE, cm.CertificateSpecUsages.KEY_ENCIPHERMENT,
      ],
    },
  });
}

/** Bash that ensures a server certificate Secret exists, signed by the CA Secret (which it creates when missing). */
export function certificateScript(caSecret: string, caValidityDays: number, validityDays: number, cert: ServerCertificate): string {
  const dns = cert.dnsNames.map((name) => `      - "${name}"`).join('\n');
  return [
    `if secret_get "$NS" '${cert.secretName}'; then`,
    `  echo "Secret $NS/${cert.secretName} exists: kept as it is"`,
    'else',
    `  ensure_ca '${caSecret}' ${caValidityDays}`,
    `  cat > /tmp/instances.yml <<'EOF'`,
    'instances:',
    `  - name: "${cert.name}"`,
    '    dns:',
    dns,
    'EOF',
    `  rm -rf /tmp/${cert.name}.zip /tmp/certs`,
    `  "$CERTUTIL" cert --silent --pem --in /tmp/instances.yml --ca-cert /tmp/ca/ca.crt --ca-key /tmp/ca/ca.key --days ${validityDays} --out /tmp/${cert.name}.zip`,
    `  unzip -q -o /tmp/${cert.name}.zip -d /tmp/certs`,
    `  create_secret "$NS" '${cert.secretName}' ca.crt=/tmp/ca/ca.crt tls.crt=/tmp/certs/${cert.name}/${cert.name}.crt tls.key=/tmp/certs/${cert.name}/${cert.name}.key || true`,
    'fi',
  ].join('\n');
}

/**
 * Bash function `ensure_ca SECRET DAYS`: leaves the CA in /tmp/ca/ca.crt and ca.key,
 * from its Secret, or newly made and stored when the Secret does not exist. It always
 * uses what the Secret holds after the attempt, so two Jobs racing agree on one CA.
 */
export const ENSURE_CA_FUNCTION = String.raw`CERTUTIL=/usr/share/elasticsearch/bin/elasticsearch-certutil
ensure_ca() {
  if [ -s /tmp/ca/ca.key ]; then return; fi
  if ! secret_get "$NS" "$1"; then
    rm -rf /tmp/ca.zip /tmp/new-ca
    "$CERTUTIL" ca --silent --pem --days "$2" --out /tmp/ca.zip
    unzip -q -o /tmp/ca.zip -d /tmp/new-ca
    create_secret "$NS" "$1" ca.crt=/tmp/new-ca/ca/ca.crt ca.key=/tmp/new-ca/ca/ca.key || true
    rm -rf /tmp/new-ca /tmp/ca.zip
    secret_get "$NS" "$1" || { echo "Secret $NS/$1 is missing after creating it" >&2; exit 1; }
  fi
  mkdir -p /tmp/ca
  secret_key ca.crt > /tmp/ca/ca.crt
  secret_key ca.key > /tmp/ca/ca.key
}
`;

/** Bash that ensures a Secret with a username and a new random password exists. */
export function passwordScript(secretName: string, username: string): string {
  return [
    `if secret_get "$NS" '${secretName}'; then`,
    `  echo "Secret $NS/${secretName} exists: kept as it is"`,
    'else',
    `  printf '%s' '${username}' > /tmp/username`,
    '  random_password > /tmp/password',
    `  create_secret "$NS" '${secretName}' username=/tmp/username password=/tmp/password || true`,
    '  rm -f /tmp/password',
    'fi',
  ].join('\n');
}

/**
 * Bash that ensures a Secret of random keys exists: each key 40 random letters and
 * digits (about 238 bits). An existing Secret is kept as it is, never replaced: a new
 * encryption key would make what the old one encrypted unreadable.
 */
export function randomKeysScript(secretName: string, keys: string[]): string {
  return [
    `if secret_get "$NS" '${secretName}'; then`,
    `  echo "Secret $NS/${secretName} exists: kept as it is"`,
    'else',
    ...keys.map((key) => `  random_password > '/tmp/key-${key}'`),
    `  create_secret "$NS" '${secretName}' ${keys.map((key) => `'${key}=/tmp/key-${key}'`).join(' ')} || true`,
    `  rm -f ${keys.map((key) => `'/tmp/key-${key}'`).join(' ')}`,
    'fi',
  ].join('\n');
}

/**
 * A Role that lets a Job create Secrets and read only the named ones. Kubernetes
 * cannot limit `create` to names (the name is not known when the request is
 * authorized), so `create` covers the namespace's Secrets; `get` is limited.
 * @see https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources
 */
export function secretWriterRole(scope: Construct, id: string, options: {
  readonly name: string;
  readonly namespace?: string;
  readonly secretNames: string[];
  readonly labels: { [key: string]: string };
  readonly serviceAccount: kplus.IServiceAccount;
  /** Whether it may create Secrets too. @default true */
  readonly create?: boolean;
}): void {
  // L1 objects: the rules name Secrets that exist only at run time, and the binding
  // may sit in another namespace than the ServiceAccount.
  const role = new kplus.k8s.KubeRole(scope, `${id}Role`, {
    metadata: { name: options.name, namespace: options.namespace, labels: options.labels },
    rules: [
      ...(options.create ?? true ? [{ apiGroups: [''], resources: ['secrets'], verbs: ['create'] }] : []),
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: [...new Set(options.secretNames)].sort() },
    ],
  });
  new kplus.k8s.KubeRoleBinding(scope, `${id}RoleBinding`, {
    metadata: { name: options.name, namespace: options.namespace, labels: options.labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
    subjects: [{ kind: 'ServiceAccount', name: options.serviceAccount.name, namespace: serviceAccountNamespace(options.serviceAccount) }],
  });
}

function serviceAccountNamespace(serviceAccount: kplus.IServiceAccount): string | undefined {
  return (serviceAccount as kplus.ServiceAccount).metadata?.namespace;
}

/** What a bootstrap Job creates. */
export interface BootstrapJobOptions {
  /** Job, ServiceAccount and Role name prefix. */
  readonly name: string;
  /** `app.kubernetes.io/instance` of the Job. */
  readonly instance: string;
  /** The Elasticsearch image (elasticsearch-certutil, unzip, curl). */
  readonly image: string;
  readonly namespace: string;
  readonly security: ElasticsearchSecurity;
  /** The CA Secret (bootstrap-Job certificates). */
  readonly caSecretName?: string;
  /** Server certificates: made by the Job, or cert-manager Certificates. */
  readonly certificates: ServerCertificate[];
  /** Password Secrets: Secret name to username. */
  readonly passwords: { [secretName: string]: string };
  /**
   * Secrets of random keys: Secret name to its keys.
   * @default {}
   */
  readonly randomKeys?: { [secretName: string]: string[] };
  /** Labels of the Secrets the Job creates. */
  readonly secretLabels: { [key: string]: string };
}

/**
 * A Job that creates, once, the Secrets a secured cluster needs before its servers
 * start: a CA, server certificates signed by it, and passwords. Secrets that exist are
 * kept, so running it again (or a newer version of it) changes nothing. It runs in the
 * Elasticsearch image, with a ServiceAccount that may create Secrets and read only these.
 * With cert-manager, it makes cert-manager Certificates instead and only the passwords.
 */
export function createBootstrapJob(scope: Construct, options: BootstrapJobOptions): kplus.Job {
  const labels = appLabels('elasticsearch-bootstrap', options.instance);
  const steps: string[] = [];
  // The Job makes the CA and the certificates, or cert-manager makes the certificates.
  const makesCertificates = options.security.certificateSource === ElasticsearchCertificateSource.BOOTSTRAP_JOB;
  options.certificates.forEach((cert, i) => {
    if (makesCertificates) {
      steps.push(`# The certificate of ${cert.name}, signed by the CA (made first when missing).`);
      steps.push(certificateScript(options.caSecretName as string, options.security.caValidityDays as number, options.security.certificateValidityDays as number, cert));
    } else {
      certManagerCertificate(scope, `Certificate${i}`, options.security, cert);
    }
  });
  for (const [secretName, username] of Object.entries(options.passwords)) {
    steps.push(`# The ${username} user's password.`);
    steps.push(passwordScript(secretName, username));
  }
  for (const [secretName, keys] of Object.entries(options.randomKeys ?? {})) {
    steps.push(`# Random keys: ${keys.join(', ')}.`);
    steps.push(randomKeysScript(secretName, keys));
  }
  const secretNames = [
    ...(options.caSecretName && makesCertificates ? [options.caSecretName] : []),
    ...(makesCertificates ? options.certificates.map((c) => c.secretName) : []),
    ...Object.keys(options.passwords),
    ...Object.keys(options.randomKeys ?? {}),
  ];
  if (secretNames.length === 0) throw new Error(`${options.name}: a bootstrap Job with nothing to create`);
  const serviceAccount = new kplus.ServiceAccount(scope, 'ServiceAccount', { metadata: { name: options.name, labels }, automountToken: false });
  secretWriterRole(scope, '', { name: options.name, labels, serviceAccount, secretNames });
  return createSetupJob(scope, {
    name: options.name,
    image: options.image,
    user: 1000,
    labels,
    serviceAccount,
    // elasticsearch-certutil is a Java program.
    memoryMebibytes: 512,
    files: {
      'run.sh': [
        '#!/usr/bin/env bash',
        '# Creates what the servers need before they start, once: a Secret that exists is kept',
        '# as it is, so running this again (or a newer version of it) changes nothing.',
        'set -euo pipefail',
        'umask 077',
        SECRET_FUNCTIONS,
        ENSURE_CA_FUNCTION,
        `NS='${options.namespace}'`,
        secretLabelsLine(options.secretLabels),
        ...steps,
        'echo done',
        '',
      ].join('\n'),
    },
  });
}
