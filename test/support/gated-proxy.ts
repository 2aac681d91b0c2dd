import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a real server that holds every connection until
 * `open()`: a slow network on demand, so a test can decide that one client's
 * reads and uploads happen after another client has finished.
 */
export async function startGatedProxy(target: string): Promise<{
  endpoint: string;
  connections(): number;
  open(): void;
  close(): Promise<void>;
}> {
  const { hostname, port } = new URL(target);
  const held: Array<() => void> = [];
  const sockets = new Set<Socket>();
  let opened = false;
  let count = 0;
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const server = createServer((client) => {
    count++;
    track(client);
    client.pause();
    const pass = () => {
      const upstream = connect(Number(port), hostname);
      track(upstream);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      client.pipe(upstream).pipe(client);
      client.resume();
    };
    if (opened) pass();
    else held.push(pass);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: own } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${own}`,
    connections: () => count,
    open() {
      opened = true;
      for (const pass of held.splice(0)) pass();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
