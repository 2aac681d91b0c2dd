const KEY_STORAGE = 'clipline.apiKey';

export function storedKey(): string | null {
  return localStorage.getItem(KEY_STORAGE);
}

export function storeKey(key: string | null): void {
  if (key) localStorage.setItem(KEY_STORAGE, key);
  else localStorage.removeItem(KEY_STORAGE);
}

/** An HTTP failure with the API's own message kept for plain-language display. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const key = storedKey();
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'The server cannot be reached. Check your connection and try again.');
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const err = (json ?? {}) as { message?: unknown; details?: unknown };
    const message = Array.isArray(err.message)
      ? err.message.join('; ')
      : typeof err.message === 'string'
        ? err.message
        : `${res.status} ${res.statusText}`;
    const details = Array.isArray(err.details) ? err.details.map(String) : [];
    throw new ApiError(res.status, message, details);
  }
  return json as T;
}

/** What a person should read for an error: what happened and what to do about it. */
export function plainError(err: unknown): string {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  switch (err.status) {
    case 0:
      return err.message;
    case 401:
      return 'The API key was not accepted. Check it, or use "Change key" to enter another one.';
    case 403:
      return 'This API key is not allowed to do that; it needs the ops role.';
    case 404:
      return `Not found: ${err.message}`;
    case 413:
      return `The file is too large. ${err.message}`;
    case 422:
      return `The file cannot be used. ${err.message}`;
    case 400:
      return `Some settings are not valid: ${[err.message, ...err.details].join('; ')}`;
    default:
      return err.status >= 500
        ? `The server had a problem (${err.status}). ${err.message}`
        : err.message;
  }
}
