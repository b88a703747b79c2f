// Types shared by the SCIM route handlers: what a handler receives and what it answers.
import type { ResolvedOptions } from './options.js';
import type { ScimJson } from './resources.js';
import type { NotionWorkspace } from './workspace.js';

export interface ScimRequest {
  method: string;
  /** Path segments after /scim/v2, e.g. ['Users', '<id>']. */
  segments: string[];
  query: URLSearchParams;
  body: unknown;
}

export interface ScimAnswer {
  status: number;
  body?: ScimJson;
  headers?: Record<string, string>;
}

export interface RouteContext {
  workspace: NotionWorkspace;
  options: ResolvedOptions;
}
