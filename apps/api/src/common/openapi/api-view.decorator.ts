import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { arrayOf, ref, type Schema } from './schema.builder';
import type { ViewName } from './view-schemas';

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 429 | 503;

const ERROR_MEANING: Record<ErrorStatus, string> = {
  400: 'Invalid input; the message names the field.',
  401: 'No API key, or one that is unknown or revoked.',
  403: "The key's role may not call this route (ops only).",
  404: "No such resource, or another creator's (the two answer alike).",
  409: 'The current state does not allow it; the message says why.',
  410: 'Retention deleted what this needs (the source or the clip files).',
  413: 'Larger than UPLOAD_MAX_BYTES.',
  415: 'Unsupported content type.',
  422: 'The file is not usable media; the message says why.',
  429: 'Too many uploads at once; retry after the Retry-After header.',
  503: 'A dependency (Postgres, Redis or S3) is unreachable.',
};

export interface ViewOptions {
  /** Success status; 200 unless the route says otherwise. */
  status?: number;
  /** Errors this route answers besides 401 (added for every route with a key). */
  errors?: ErrorStatus[];
  /** No API key needed: no 401. */
  public?: boolean;
  description?: string;
}

function errorResponses(opts: ViewOptions): MethodDecorator[] {
  const codes = new Set<ErrorStatus>(opts.errors ?? []);
  if (!opts.public) codes.add(401);
  return [...codes]
    .sort((a, b) => a - b)
    .map((status) =>
      ApiResponse({ status, description: ERROR_MEANING[status], schema: ref('ErrorView') }),
    );
}

function success(schema: Schema, opts: ViewOptions): MethodDecorator {
  return ApiResponse({ status: opts.status ?? 200, description: opts.description ?? 'OK', schema });
}

/** The route answers the named view (or a list of it: `[name]`) and these errors. */
export function ApiView(view: ViewName | [ViewName], opts: ViewOptions = {}): MethodDecorator {
  const schema = Array.isArray(view) ? arrayOf(ref(view[0])) : ref(view);
  return applyDecorators(success(schema, opts), ...errorResponses(opts));
}

/** The route answers 204 with no body, and these errors. */
export function ApiNoContentView(opts: ViewOptions = {}): MethodDecorator {
  return applyDecorators(
    ApiResponse({ status: 204, description: opts.description ?? 'Done; no body.' }),
    ...errorResponses(opts),
  );
}

/**
 * The route answers text in one of these media types (and, when `json` names a
 * view, that view as application/json), and these errors.
 */
export function ApiTextView(
  mediaTypes: string[],
  opts: ViewOptions & { json?: ViewName } = {},
): MethodDecorator {
  const content: Record<string, { schema: Schema }> = {};
  if (opts.json) content['application/json'] = { schema: ref(opts.json) };
  for (const t of mediaTypes) content[t] = { schema: { type: 'string' } };
  return applyDecorators(
    ApiResponse({ status: opts.status ?? 200, description: opts.description ?? 'OK', content }),
    ...errorResponses(opts),
  );
}

/** The route answers a binary file (an image) in one of these media types, and these errors. */
export function ApiFileView(mediaTypes: string[], opts: ViewOptions = {}): MethodDecorator {
  const content: Record<string, { schema: Schema }> = {};
  for (const t of mediaTypes) content[t] = { schema: { type: 'string', format: 'binary' } };
  return applyDecorators(
    ApiResponse({ status: opts.status ?? 200, description: opts.description ?? 'OK', content }),
    ...errorResponses(opts),
  );
}
