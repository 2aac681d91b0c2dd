import { connect } from 'node:net';

export interface RawResult {
  /** Status of the first response on the connection, or null when none came. */
  status: number | null;
  text: string;
  /** Body bytes the server took before the connection ended. */
  bytesWritten: number;
  /** The test's own timeout ended the connection, not the server. */
  timedOut: boolean;
}

/**
 * Sends bytes exactly as given over a plain TCP socket: malformed requests
 * that fetch or http.request would refuse to produce. Body chunks are written
 * with backpressure until the server closes or `body` runs out.
 */
export function rawRequest(
  url: string,
  head: string,
  body: Iterable<Buffer>,
  opts: { end?: 'after-response' | 'half-close' | 'destroy'; timeoutMs?: number } = {},
): Promise<RawResult> {
  const { port, hostname } = new URL(url);
  const socket = connect(Number(port), hostname);
  let text = '';
  let bytesWritten = 0;
  let closed = false;
  let timedOut = false;
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  const done = new Promise<void>((resolve) => {
    socket.once('close', () => {
      closed = true;
      resolve();
    });
  });
  socket.on('error', () => undefined);
  const timer = setTimeout(() => {
    timedOut = true;
    socket.destroy();
  }, opts.timeoutMs ?? 20_000);
  const write = async () => {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.write(head);
    for (const chunk of body) {
      if (closed || socket.destroyed) break;
      const ok = socket.write(chunk);
      bytesWritten += chunk.length;
      if (!ok) {
        await new Promise<void>((resolve) => {
          const go = () => {
            socket.off('drain', go);
            socket.off('close', go);
            resolve();
          };
          socket.on('drain', go);
          socket.on('close', go);
        });
      }
    }
    if (closed) return;
    if (opts.end === 'destroy') socket.destroy();
    else if (opts.end === 'half-close') socket.end();
    else {
      // Node's server drops a request whose client half-closes before the
      // answer, so wait for the response (or the server closing) first.
      while (!closed && !/\r\n\r\n/.test(text)) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
      socket.end();
    }
  };
  return write()
    .catch(() => undefined)
    .then(() => done)
    .then(() => {
      clearTimeout(timer);
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      return { status: m ? Number(m[1]) : null, text, bytesWritten, timedOut };
    });
}

export function* repeat(chunk: Buffer, total: number): Generator<Buffer> {
  let left = total;
  while (left > 0) {
    const n = Math.min(left, chunk.length);
    yield n === chunk.length ? chunk : chunk.subarray(0, n);
    left -= n;
  }
}
