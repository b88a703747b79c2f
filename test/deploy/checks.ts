// Rules for the deployment examples in config/deploy: schema validation against the Kubernetes OpenAPI schemas
// (kubernetes-models, offline), Pod Security "restricted", and this project's own rules (a store that survives,
// workload identity instead of a client secret, pinned images, a CronJob that stops and shuts down cleanly).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { CronJob } from 'kubernetes-models/batch/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { Namespace, PersistentVolumeClaim, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { parseAllDocuments } from 'yaml';

export const deployFolder = 'config/deploy';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are free-form YAML, checked field by field
export type Manifest = Record<string, any>;

export interface ManifestFile {
  file: string;
  documents: Manifest[];
}

/** Every document of every Kubernetes example; a YAML syntax error throws with the file name. */
export function readKubernetesManifests(folder = deployFolder): ManifestFile[] {
  return readdirSync(folder)
    .filter((name) => name.startsWith('kubernetes-') && name.endsWith('.yaml'))
    .map((file) => ({ file, documents: parseYamlDocuments(readFileSync(join(folder, file), 'utf8'), file) }));
}

export function parseYamlDocuments(text: string, file: string): Manifest[] {
  return parseAllDocuments(text).map((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((e) => e.message).join('; ')}`);
    return document.toJS() as Manifest;
  });
}

const models: Record<string, new (data: Manifest) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'batch/v1/CronJob': CronJob,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'networking.k8s.io/v1/Ingress': Ingress,
} as never;

/** Schema problems of one document: its kind must be known, and it must match the Kubernetes schema of that kind. */
export function schemaProblems(document: Manifest): string[] {
  const Model = models[`${document.apiVersion}/${document.kind}`];
  if (!Model) return [`${document.apiVersion}/${document.kind}: not a kind these examples are validated against`];
  try {
    new Model(document).validate();
    return [];
  } catch (error) {
    return [`${document.kind} ${document.metadata?.name}: ${(error as Error).message}`];
  }
}

export function podTemplateOf(document: Manifest): Manifest | undefined {
  if (document.kind === 'Deployment') return document.spec?.template;
  if (document.kind === 'CronJob') return document.spec?.jobTemplate?.spec?.template;
  return undefined;
}

const allowedVolumeKinds = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

/** Pod Security Standards, "restricted" profile (https://kubernetes.io/docs/concepts/security/pod-security-standards/), plus a read-only root filesystem. */
export function restrictedProblems(template: Manifest): string[] {
  const problems: string[] = [];
  const pod = template.spec ?? {};
  const podContext = pod.securityContext ?? {};
  for (const flag of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod[flag] === true) problems.push(`${flag} is true`);
  for (const volume of pod.volumes ?? []) {
    const kind = Object.keys(volume).find((key) => key !== 'name');
    if (!kind || !allowedVolumeKinds.includes(kind)) problems.push(`volume ${volume.name}: ${kind} is not allowed`);
  }
  for (const container of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    const context = container.securityContext ?? {};
    const effective = (key: string) => context[key] ?? podContext[key];
    const name = `container ${container.name}`;
    if (effective('runAsNonRoot') !== true) problems.push(`${name}: runAsNonRoot is not true`);
    if (!Number.isInteger(effective('runAsUser')) || effective('runAsUser') === 0) problems.push(`${name}: runAsUser is not a non-zero number`);
    if (!['RuntimeDefault', 'Localhost'].includes(effective('seccompProfile')?.type)) problems.push(`${name}: seccompProfile is not RuntimeDefault`);
    if (context.allowPrivilegeEscalation !== false) problems.push(`${name}: allowPrivilegeEscalation is not false`);
    if (context.privileged === true) problems.push(`${name}: privileged`);
    if (!(context.capabilities?.drop ?? []).includes('ALL')) problems.push(`${name}: capabilities do not drop ALL`);
    for (const added of context.capabilities?.add ?? []) if (added !== 'NET_BIND_SERVICE') problems.push(`${name}: adds capability ${added}`);
    if (context.readOnlyRootFilesystem !== true) problems.push(`${name}: readOnlyRootFilesystem is not true`);
    for (const port of container.ports ?? []) if (port.hostPort) problems.push(`${name}: hostPort ${port.hostPort}`);
  }
  return problems;
}

const envValue = (container: Manifest, name: string): Manifest | undefined => (container.env ?? []).find((e: Manifest) => e.name === name);

/**
 * A lost store means nobody is ever deprovisioned: each container either reads DATABASE_URL (Postgres) or keeps
 * DATA_DIR on a PersistentVolumeClaim; an emptyDir serves scratch space (/tmp) only.
 */
export function storeProblems(template: Manifest): string[] {
  const problems: string[] = [];
  const volumes: Manifest[] = template.spec?.volumes ?? [];
  for (const container of template.spec?.containers ?? []) {
    for (const mount of container.volumeMounts ?? []) {
      const volume = volumes.find((v) => v.name === mount.name);
      if (volume?.emptyDir && mount.mountPath !== '/tmp') problems.push(`container ${container.name}: emptyDir ${mount.name} at ${mount.mountPath} (an emptyDir is lost with the pod)`);
    }
    if (envValue(container, 'DATABASE_URL')) continue;
    const dataDir = envValue(container, 'DATA_DIR')?.value ?? '/data';
    const mount = (container.volumeMounts ?? []).find((m: Manifest) => m.mountPath === dataDir);
    const volume = mount && volumes.find((v) => v.name === mount.name);
    if (!volume?.persistentVolumeClaim) problems.push(`container ${container.name}: no DATABASE_URL and DATA_DIR ${dataDir} is not on a PersistentVolumeClaim`);
  }
  return problems;
}

/** Images pinned to a version or a digest, never `latest` or no tag. */
export function imageProblems(template: Manifest): string[] {
  return (template.spec?.containers ?? [])
    .map((c: Manifest) => c.image as string)
    .filter((image: string) => !/(:\d+\.\d+\.\d+[\w.-]*|@sha256:[0-9a-f]{64})$/.test(image))
    .map((image: string) => `image ${image} is not pinned to a version or digest`);
}

/** SIGTERM handling: Kubernetes must wait longer than SHUTDOWN_GRACE_SECONDS (default 30) before SIGKILL. */
export function shutdownProblems(template: Manifest): string[] {
  const grace = template.spec?.terminationGracePeriodSeconds ?? 30;
  return (template.spec?.containers ?? [])
    .filter((c: Manifest) => grace <= Number(envValue(c, 'SHUTDOWN_GRACE_SECONDS')?.value ?? 30))
    .map((c: Manifest) => `container ${c.name}: terminationGracePeriodSeconds ${grace} leaves no time after SHUTDOWN_GRACE_SECONDS`);
}

export function cronJobProblems(cronJob: Manifest): string[] {
  const problems: string[] = [];
  if (!cronJob.spec?.timeZone) problems.push('CronJob: no timeZone');
  if (cronJob.spec?.concurrencyPolicy !== 'Forbid') problems.push('CronJob: concurrencyPolicy is not Forbid');
  if (!Number.isInteger(cronJob.spec?.jobTemplate?.spec?.activeDeadlineSeconds)) problems.push('CronJob: no activeDeadlineSeconds');
  return problems;
}

/** Azure Workload Identity: the pod is labelled for the webhook and its ServiceAccount names the identity's client id. */
export function workloadIdentityProblems(template: Manifest, serviceAccounts: Manifest[]): string[] {
  const problems: string[] = [];
  if (template.metadata?.labels?.['azure.workload.identity/use'] !== 'true') problems.push('pod template: no azure.workload.identity/use: "true" label');
  const account = serviceAccounts.find((a) => a.metadata?.name === template.spec?.serviceAccountName);
  if (!account) problems.push(`pod template: serviceAccountName ${template.spec?.serviceAccountName} is not one of the examples' ServiceAccounts`);
  else if (!account.metadata?.annotations?.['azure.workload.identity/client-id']) problems.push(`ServiceAccount ${account.metadata.name}: no azure.workload.identity/client-id annotation`);
  for (const container of template.spec?.containers ?? []) if (envValue(container, 'ENTRA_CLIENT_SECRET')) problems.push(`container ${container.name}: uses ENTRA_CLIENT_SECRET instead of workload identity`);
  return problems;
}
