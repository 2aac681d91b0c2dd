// Turns the apps' JSON log lines (pino) into one readable line each for the
// terminal; anything else (a crash trace printed by Node) passes as it is.
import pinoPretty from 'pino-pretty';

const WARN = 40;

export function makeLogFormatter({ colorize = false } = {}) {
  const pretty = pinoPretty.prettyFactory({
    colorize,
    singleLine: true,
    // The launcher's prefix already names the app; the pid is in `[start] … started`.
    ignore: 'pid,hostname,app,worker,context',
    translateTime: 'SYS:HH:MM:ss',
    messageFormat: '{if context}[{context}] {end}{msg}',
  });
  /** Lines to print for one line of output, and whether it is at least a warning. */
  return (line) => {
    if (!line.startsWith('{')) return { lines: [line], level: null };
    let obj;
    try {
      obj = JSON.parse(line);
    } catch {
      return { lines: [line], level: null };
    }
    if (typeof obj !== 'object' || obj === null || typeof obj.level !== 'number')
      return { lines: [line], level: null };
    const text = pretty(obj).replace(/\n$/, '');
    return { lines: text.split('\n'), level: obj.level, warn: obj.level >= WARN };
  };
}
