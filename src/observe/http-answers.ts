// Live counting of HTTP answers from Notion (SCIM) and Microsoft Graph, by method and status: the clients report
// each answer here as it arrives, and whoever exposes metrics (the worker's /metrics, a job's push) listens.

export type HttpService = 'scim' | 'graph';

/** A status code, or 'error' when no answer arrived (reset, timeout, DNS). */
export type HttpAnswerStatus = number | 'error';

export type HttpAnswerListener = (service: HttpService, method: string, status: HttpAnswerStatus) => void;

const listeners = new Set<HttpAnswerListener>();

export function countHttpAnswer(service: HttpService, method: string, status: HttpAnswerStatus): void {
  for (const listener of listeners) listener(service, method.toUpperCase(), status);
}

/** Adds a listener; the returned function removes it. */
export function onHttpAnswer(listener: HttpAnswerListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
