import type { IncomingMessage, ServerResponse } from 'node:http';

export type RequestWithResponse = IncomingMessage & { res?: ServerResponse };

/** Body bytes read after an upload is refused, so the client can read the error. */
export const DRAIN_MAX_BYTES = 4 * 1024 * 1024;
/** How long a client still sending after the error response is waited for. */
export const DRAIN_MAX_MS = 5_000;

/**
 * After an upload is refused mid-body (413, a malformed form), read and drop a
 * bounded rest of the body, then close the connection. Closing at once can make
 * the client see a reset instead of the error response; reading everything let
 * one client keep the API busy with an endless body (Node's own drain has no
 * limit, to keep the connection alive).
 */
export function drainBounded(
  req: RequestWithResponse,
  maxBytes = DRAIN_MAX_BYTES,
  maxMs = DRAIN_MAX_MS,
): void {
  if (req.complete || req.destroyed) return;
  const res = req.res;
  let drained = 0;
  let over = false;
  let responded = !res || res.writableFinished;
  let timer: NodeJS.Timeout | undefined;
  const close = () => {
    clearTimeout(timer);
    req.socket?.destroy();
  };
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained <= maxBytes) return;
    over = true;
    req.pause();
    if (responded) close();
  });
  const afterResponse = () => {
    responded = true;
    if (over) close();
    else timer = setTimeout(close, maxMs).unref();
  };
  if (responded) afterResponse();
  else res?.once('finish', afterResponse);
  req.once('end', () => clearTimeout(timer));
  req.resume();
}
