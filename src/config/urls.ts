// URL rules shared by every endpoint setting: TLS is required unless the host is this machine (simulators, tests).

const loopbackHosts = new Set(['localhost', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  return loopbackHosts.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** Returns a problem description, or undefined when the URL is acceptable for an API endpoint. */
export function endpointUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `expected an absolute URL such as https://host/path, got "${value}"`;
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return undefined;
  if (url.protocol === 'http:') return `expected https: plain http is allowed only for loopback hosts, got "${value}"`;
  return `expected an https URL, got "${value}"`;
}
