import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: string;
  json: {
    id: string;
    type: string;
    time: string;
    jobId: string;
    data: Record<string, unknown>;
    job: { id: string; status: string } | null;
  };
  /** What the receiver answered. */
  status: number;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedHook[];
  /** Only the requests answered 2xx, i.e. what the receiver accepted. */
  accepted(): ReceivedHook[];
  /** Decides the answer for each request; 200 unless set. */
  answer: (
    hook: Omit<ReceivedHook, 'status'>,
  ) => { status: number; body?: string; headers?: Record<string, string> } | 'hang';
  /** Stops listening and drops open connections, as a receiver that crashed. */
  kill(): Promise<void>;
  /** Listens again on the same port. */
  revive(): Promise<void>;
  close(): Promise<void>;
}

/** A real HTTP receiver on 127.0.0.1 that records every request it gets. */
export async function startWebhookReceiver(port = 0): Promise<WebhookReceiver> {
  const sockets = new Set<Socket>();
  const hanging: Array<() => void> = [];
  let server: Server;
  const rx: WebhookReceiver = {
    url: '',
    port,
    received: [],
    accepted: () => rx.received.filter((r) => r.status >= 200 && r.status < 300),
    answer: () => ({ status: 200 }),
    async kill() {
      for (const release of hanging.splice(0)) release();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
    async revive() {
      await listen(rx.port);
    },
    async close() {
      await rx.kill().catch(() => undefined);
    },
  };
  const listen = (p: number) =>
    new Promise<void>((resolve) => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const hook = {
            headers: req.headers,
            body,
            json: JSON.parse(body) as ReceivedHook['json'],
          };
          const a = rx.answer(hook);
          if (a === 'hang') {
            rx.received.push({ ...hook, status: 0 });
            hanging.push(() => res.destroy());
            return;
          }
          rx.received.push({ ...hook, status: a.status });
          res.writeHead(a.status, a.headers ?? {});
          res.end(a.body ?? 'ok');
        });
      });
      server.on('connection', (s) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      server.listen(p, '127.0.0.1', () => {
        rx.port = (server.address() as AddressInfo).port;
        rx.url = `http://127.0.0.1:${rx.port}/hook`;
        resolve();
      });
    });
  await listen(port);
  return rx;
}

/** Polls until `check` returns true; throws with `describe()` past the timeout. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  describe: () => string,
  timeoutMs = 20_000,
): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out: ${describe()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
