// CI check of the deployment examples (config/deploy): Kubernetes schemas, Pod Security "restricted", a store that
// survives the pod, workload or managed identity instead of a client secret, pinned images. The last block breaks a
// valid manifest in each way and shows that the checks catch it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { databaseConnectionOf, databaseUrlProblem } from '../../src/config/index.js';
import {
  cronJobProblems,
  imageProblems,
  parseYamlDocuments,
  podTemplateOf,
  readKubernetesManifests,
  restrictedProblems,
  schemaProblems,
  shutdownProblems,
  storeProblems,
  workloadIdentityProblems,
  type Manifest,
} from './checks.js';

const files = readKubernetesManifests();
const documents = files.flatMap((f) => f.documents.map((document) => ({ file: f.file, document })));
const ofKind = (kind: string) => documents.filter((d) => d.document.kind === kind).map((d) => d.document);
const serviceAccounts = ofKind('ServiceAccount');
const workloads = documents.filter((d) => podTemplateOf(d.document));

function allProblems(document: Manifest): string[] {
  const template = podTemplateOf(document);
  return [
    ...schemaProblems(document),
    ...(template
      ? [...restrictedProblems(template), ...storeProblems(template), ...imageProblems(template), ...shutdownProblems(template), ...workloadIdentityProblems(template, serviceAccounts)]
      : []),
    ...(document.kind === 'CronJob' ? cronJobProblems(document) : []),
  ];
}

describe('the Kubernetes examples', () => {
  it('include a CronJob, both worker Deployments, the ServiceAccount, the Secret and a ServiceMonitor', () => {
    expect(files.map((f) => f.file).sort()).toEqual([
      'kubernetes-common.yaml',
      'kubernetes-cronjob.yaml',
      'kubernetes-worker-embedded-store.yaml',
      'kubernetes-worker-monitoring.yaml',
      'kubernetes-worker-notifications.yaml',
      'kubernetes-worker.yaml',
    ]);
    expect(ofKind('CronJob')).toHaveLength(1);
    expect(ofKind('Deployment')).toHaveLength(2);
    expect(ofKind('ServiceMonitor')).toHaveLength(1);
    expect(ofKind('Secret')[0]?.stringData).toHaveProperty('DATABASE_URL');
  });

  it("has a DATABASE_URL the configuration accepts: TLS to a server on another host", () => {
    const url = String(ofKind('Secret')[0]?.stringData?.DATABASE_URL);
    expect(databaseConnectionOf(url, {})).toMatchObject({ local: false, tls: true });
    expect(databaseUrlProblem(url, {})).toBeUndefined();
  });

  it.each(documents.map((d) => [`${d.file}: ${d.document.kind} ${d.document.metadata?.name}`, d.document] as const))('%s matches its Kubernetes schema', (_name, document) => {
    expect(schemaProblems(document)).toEqual([]);
  });

  it.each(workloads.map((d) => [`${d.file}: ${d.document.kind}`, d.document] as const))(
    '%s: Pod Security "restricted", a lasting store, a pinned image, time to shut down, workload identity',
    (_name, document) => {
      expect(allProblems(document)).toEqual([]);
    },
  );

  it('runs the CronJob in a time zone, with a deadline, never two at once', () => {
    expect(cronJobProblems(ofKind('CronJob')[0]!)).toEqual([]);
  });

  it('enforces "restricted" on the namespace every example uses', () => {
    const namespace = ofKind('Namespace')[0]!;
    expect(namespace.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const { document } of documents.filter((d) => d.document.kind !== 'Namespace')) expect(document.metadata.namespace).toBe(namespace.metadata.name);
  });

  it('scrapes the worker: the ServiceMonitor selects the Service, whose port and selector match both worker Deployments', () => {
    const [service] = ofKind('Service');
    const [monitor] = ofKind('ServiceMonitor');
    for (const [key, value] of Object.entries(monitor!.spec.selector.matchLabels)) expect(service!.metadata.labels[key]).toBe(value);
    expect(service!.spec.ports.map((p: Manifest) => p.name)).toContain(monitor!.spec.endpoints[0].port);
    for (const deployment of ofKind('Deployment')) {
      const labels = deployment.spec.template.metadata.labels;
      for (const [key, value] of Object.entries(service!.spec.selector)) expect(labels[key]).toBe(value);
      expect(deployment.spec.template.spec.containers[0].ports.map((p: Manifest) => p.name)).toContain(service!.spec.ports[0].targetPort);
    }
  });
});

describe('the Azure Container Apps job example', () => {
  const [job] = parseYamlDocuments(readFileSync('config/deploy/azure-container-apps-job.yaml', 'utf8'), 'azure-container-apps-job.yaml');
  const container = job!.properties.template.containers[0];
  const env = new Map<string, Manifest>(container.env.map((e: Manifest) => [e.name, e]));

  it('signs in with a user-assigned managed identity, not a client secret', () => {
    expect(job!.identity.type).toBe('UserAssigned');
    expect(env.get('ENTRA_AUTH')?.value).toBe('managed-identity');
    expect(env.get('ENTRA_MANAGED_IDENTITY_CLIENT_ID')?.value).toBeTruthy();
    expect(env.has('ENTRA_CLIENT_SECRET')).toBe(false);
  });

  it('reads its secrets from Key Vault through that identity, keeps its store in Postgres and pins its image', () => {
    const identities = Object.keys(job!.identity.userAssignedIdentities);
    for (const secret of job!.properties.configuration.secrets) {
      expect(secret.value).toBeUndefined();
      expect(secret.keyVaultUrl).toMatch(/^https:\/\/.+\.vault\.azure\.net\/secrets\//);
      expect(identities).toContain(secret.identity);
    }
    expect(env.get('DATABASE_URL')?.secretRef).toBe('database-url');
    expect(imageProblems({ spec: { containers: [container] } })).toEqual([]);
    expect(job!.properties.configuration.replicaTimeout).toBeLessThan(40 * 60);
  });
});

describe('the checks catch a broken manifest', () => {
  const worker = files.find((f) => f.file === 'kubernetes-worker.yaml')!.documents[0]!;
  const cronJob = ofKind('CronJob')[0]!;
  const broken = (change: (copy: Manifest) => unknown, from: Manifest = worker): Manifest => {
    const copy = structuredClone(from);
    change(copy);
    return copy;
  };
  const containerOf = (deployment: Manifest) => deployment.spec.template.spec.containers[0];

  it('starts from a manifest with no problem', () => {
    expect(allProblems(worker)).toEqual([]);
  });

  it.each([
    ['a port that is not a number', (d: Manifest): unknown => (containerOf(d).ports[0].containerPort = 'http'), /containerPort must be integer/],
    ['a container without a name', (d: Manifest): unknown => delete containerOf(d).name, /must have required property name/],
    ['a replica count that is text', (d: Manifest): unknown => (d.spec.replicas = 'one'), /replicas must be integer/],
    ['an unknown kind', (d: Manifest): unknown => (d.kind = 'Deploymnet'), /not a kind these examples are validated against/],
    ['capabilities not dropped', (d: Manifest): unknown => delete containerOf(d).securityContext.capabilities, /do not drop ALL/],
    ['privilege escalation allowed', (d: Manifest): unknown => (containerOf(d).securityContext.allowPrivilegeEscalation = true), /allowPrivilegeEscalation is not false/],
    ['no seccomp profile', (d: Manifest): unknown => delete d.spec.template.spec.securityContext.seccompProfile, /seccompProfile is not RuntimeDefault/],
    ['running as root', (d: Manifest): unknown => (d.spec.template.spec.securityContext.runAsUser = 0), /runAsUser is not a non-zero number/],
    ['a writable root filesystem', (d: Manifest): unknown => (containerOf(d).securityContext.readOnlyRootFilesystem = false), /readOnlyRootFilesystem is not true/],
    ['a hostPath volume', (d: Manifest): unknown => d.spec.template.spec.volumes.push({ name: 'host', hostPath: { path: '/' } }), /hostPath is not allowed/],
    [
      'the store on an emptyDir',
      (d: Manifest): void => {
        containerOf(d).env = containerOf(d).env.filter((e: Manifest) => e.name !== 'DATABASE_URL');
        containerOf(d).volumeMounts.push({ name: 'tmp', mountPath: '/data' });
      },
      /emptyDir tmp at \/data/,
    ],
    ['no Postgres and no claim', (d: Manifest): unknown => (containerOf(d).env = containerOf(d).env.filter((e: Manifest) => e.name !== 'DATABASE_URL')), /not on a PersistentVolumeClaim/],
    ['the latest image', (d: Manifest): unknown => (containerOf(d).image = 'ghcr.io/example/entra-notion-sync:latest'), /is not pinned/],
    ['no grace after SHUTDOWN_GRACE_SECONDS', (d: Manifest): unknown => (d.spec.template.spec.terminationGracePeriodSeconds = 30), /leaves no time/],
    ['a client secret instead of workload identity', (d: Manifest): unknown => containerOf(d).env.push({ name: 'ENTRA_CLIENT_SECRET', value: 'x' }), /uses ENTRA_CLIENT_SECRET/],
    ['no workload identity label', (d: Manifest): unknown => delete d.spec.template.metadata.labels['azure.workload.identity/use'], /azure.workload.identity\/use/],
  ] as const)('%s', (_name, change, problem) => {
    expect(allProblems(broken(change)).join('\n')).toMatch(problem);
  });

  it.each([
    ['no timeZone', (c: Manifest): unknown => delete c.spec.timeZone, /no timeZone/],
    ['overlapping runs', (c: Manifest): unknown => (c.spec.concurrencyPolicy = 'Allow'), /not Forbid/],
    ['no deadline', (c: Manifest): unknown => delete c.spec.jobTemplate.spec.activeDeadlineSeconds, /no activeDeadlineSeconds/],
    ['a schedule that is not text', (c: Manifest): unknown => (c.spec.schedule = 40), /schedule must be string/],
  ] as const)('CronJob with %s', (_name, change, problem) => {
    expect(allProblems(broken(change, cronJob)).join('\n')).toMatch(problem);
  });

  it('a YAML syntax error names the file', () => {
    expect(() => parseYamlDocuments('kind: Deployment\n  spec: [unclosed\n', 'broken.yaml')).toThrow(/broken\.yaml/);
  });
});
