import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface S3Call {
  method: string;
  url: string;
  status: number;
  /** For CreateMultipartUpload: the UploadId S3 answered with. */
  createdUploadId?: string;
}

/**
 * A pass-through HTTP proxy in front of a real S3 server that records every
 * call, so a test can see what the API asked S3 to do (s3rver cannot list or
 * abort multipart uploads itself). Headers go through untouched, so SigV4
 * signatures stay valid.
 */
export async function startS3Recorder(target: string): Promise<{
  endpoint: string;
  calls: S3Call[];
  close(): Promise<void>;
}> {
  const upstream = new URL(target);
  const calls: S3Call[] = [];
  const server: Server = createServer((req, res) => {
    const call: S3Call = { method: req.method ?? '', url: req.url ?? '', status: 0 };
    calls.push(call);
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (up) => {
        call.status = up.statusCode ?? 0;
        res.writeHead(up.statusCode ?? 502, up.headers);
        if (req.method === 'POST' && /[?&]uploads(=|&|$)/.test(req.url ?? '')) {
          let text = '';
          up.on('data', (d: Buffer) => (text += d.toString('utf8')));
          up.on('end', () => {
            call.createdUploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(text)?.[1];
          });
        }
        up.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.on('error', () => out.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Multipart uploads the API started and neither completed nor aborted. */
export function danglingMultipartUploads(calls: S3Call[]): string[] {
  const started = new Set<string>();
  const ended = new Set<string>();
  for (const c of calls) {
    const q = new URL(c.url, 'http://x').searchParams;
    const id = q.get('uploadId');
    if (c.createdUploadId) started.add(c.createdUploadId);
    if (!id) continue;
    if ((c.method === 'POST' && c.status === 200) || c.method === 'DELETE') ended.add(id);
  }
  return [...started].filter((id) => !ended.has(id));
}
