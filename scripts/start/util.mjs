// Small helpers shared by the `npm start` launcher modules.
import { createServer, createConnection } from 'node:net';

export const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const COLORS = [36, 35, 33, 32, 34, 91, 96, 95];

export function paint(text, code) {
  return useColor ? `\x1b[${code}m${text}\x1b[0m` : text;
}

/** Launcher's own messages: one prefix so they stand out from the apps' output. */
export function say(message) {
  console.log(`${paint('[start]', 1)} ${message}`);
}

export function warn(message) {
  console.error(`${paint('[start]', '1;33')} ${message}`);
}

/** A fixed-width, coloured name for prefixing a child's output lines. */
export function labelFor(name, index, width) {
  return paint(name.padEnd(width), COLORS[index % COLORS.length]);
}

/** Resolves true when something accepts TCP connections on host:port. */
export function isListening(port, host = '127.0.0.1', timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Whether we could bind host:port right now. */
function canBind(port, host) {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** The preferred port when it is free, otherwise any free port the OS hands out. */
export async function freePort(preferred, host = '127.0.0.1') {
  if (preferred && (await canBind(preferred, host))) return preferred;
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls fn until it returns a truthy value or the deadline passes; an error marked fatal ends it at once. */
export async function waitFor(fn, { timeoutMs, intervalMs = 250, what }) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      if (err.fatal) throw err;
      lastError = err;
    }
    await sleep(intervalMs);
  }
  throw new Error(
    `timed out after ${timeoutMs / 1000} s waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`,
  );
}

/** Sends a signal to a process (or its whole group with group=true), ignoring "no such process". */
export function signal(pid, sig, group = false) {
  try {
    process.kill(group ? -pid : pid, sig);
    return true;
  } catch {
    return false;
  }
}
