import type { Body } from '../fields';
import type { JobEngine } from '../jobs';
import type { MgnState } from '../state';

/** What every operation handler receives. */
export interface OperationContext {
  readonly state: MgnState;
  readonly engine: JobEngine;
}

/** Request parts beyond the JSON body (REST path labels and query). */
export interface RequestParts {
  readonly resourceArn?: string;
  readonly query: URLSearchParams;
}

/** One MGN operation: the HTTP status MGN answers on success and its handler. */
export interface Operation {
  readonly status: 200 | 201 | 202 | 204;
  handle(ctx: OperationContext, body: Body, parts: RequestParts): unknown;
}

export type OperationTable = Record<string, Operation>;
