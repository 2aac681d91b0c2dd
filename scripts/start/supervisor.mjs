// Runs each app as a child process, prefixes its output, restarts it when it
// dies, and stops them all on request.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { makeLogFormatter } from './log-format.mjs';
import { labelFor, say, signal, sleep, useColor, warn } from './util.mjs';

const BACKOFF_MS = [1000, 2000, 4000, 8000, 16000, 30000];
/** A run this long counts as healthy: the next crash starts the backoff over. */
const HEALTHY_AFTER_MS = 30_000;
/** loadConfigOrExit's EX_CONFIG: restarting cannot fix a bad variable. */
const EXIT_CONFIG = 78;
/** An app's one line that says it is up. */
const READY = /"msg":"(ready|API listening)/;

export class Supervisor {
  /**
   * @param apps [{ name, entry }] in start order
   * @param apps [{ name, entry, env? }] in start order
   * @param opts { env, cwd, stallSeconds, onFatal(message), onLine(name, line), quietStart }
   */
  constructor(apps, opts) {
    this.opts = opts;
    this.stopping = false;
    this.format = makeLogFormatter({ colorize: useColor });
    // Until the banner, only warnings, errors and each app's ready line: start-up
    // chatter hid the banner (and the key) under a screenful of output.
    this.quiet = opts.quietStart ?? false;
    const width = Math.max(...apps.map((a) => a.name.length), 5);
    this.children = apps.map((a, i) => ({
      ...a,
      label: labelFor(a.name, i, width),
      proc: null,
      restarts: 0,
      failures: 0,
      timer: null,
    }));
  }

  startAll() {
    const started = this.children.map((c) => `${c.name} (pid ${this.spawn(c)})`);
    say(`started ${started.join(', ')}`);
  }

  spawn(c) {
    c.startedAt = Date.now();
    // Own process group: a terminal Ctrl-C reaches only the launcher, which
    // then stops the apps in order, and a group kill also ends their ffmpeg.
    const proc = spawn(process.execPath, [c.entry], {
      cwd: this.opts.cwd,
      env: { ...this.opts.env, ...c.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    c.proc = proc;
    for (const stream of [proc.stdout, proc.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.opts.onLine?.(c.name, line);
        const out = this.format(line);
        if (this.quiet && out.level !== null && !out.warn && !READY.test(line)) return;
        for (const l of out.lines) console.log(`${c.label} | ${l}`);
      });
    }
    proc.on('exit', (code, sig) => this.onExit(c, proc, code, sig));
    return proc.pid;
  }

  /** From now on every log line is shown. */
  showAll() {
    this.quiet = false;
  }

  onExit(c, proc, code, sig) {
    if (c.proc !== proc) return;
    c.proc = null;
    // Whatever the app left behind in its group (an ffmpeg mid-render) goes too.
    signal(proc.pid, 'SIGKILL', true);
    if (this.stopping) return;
    const how = sig ? `was killed by ${sig}` : `exited with code ${code}`;
    if (code === EXIT_CONFIG) {
      this.opts.onFatal(
        `${c.name} ${how}: its configuration is invalid (see above); not restarting`,
      );
      return;
    }
    if (Date.now() - c.startedAt > HEALTHY_AFTER_MS) c.failures = 0;
    const delay = BACKOFF_MS[Math.min(c.failures, BACKOFF_MS.length - 1)];
    c.failures += 1;
    c.restarts += 1;
    const stageNote =
      c.name === 'api'
        ? ''
        : ` Work it held is taken back once its heartbeat is ${this.opts.stallSeconds} s old (STALL_SECONDS).`;
    warn(`${c.name} ${how}; restarting in ${delay / 1000} s (restart #${c.restarts}).${stageNote}`);
    c.timer = setTimeout(() => {
      c.timer = null;
      if (this.stopping) return;
      say(`${c.name} started (pid ${this.spawn(c)})`);
    }, delay);
  }

  /** SIGTERM to every app; SIGKILL to the groups of those still running after timeoutMs. */
  async stopAll(timeoutMs) {
    this.stopping = true;
    for (const c of this.children) if (c.timer) clearTimeout(c.timer);
    const running = this.children.filter((c) => c.proc);
    const exits = running.map((c) => new Promise((r) => c.proc.once('exit', r)));
    for (const c of running) signal(c.proc.pid, 'SIGTERM');
    const all = Promise.all(exits);
    const timedOut = await Promise.race([all.then(() => false), sleep(timeoutMs).then(() => true)]);
    if (timedOut) {
      const left = this.children.filter((c) => c.proc);
      warn(
        `${left.map((c) => c.name).join(', ')} did not stop within ${timeoutMs / 1000} s; sending SIGKILL`,
      );
      this.killAll();
      await all;
    }
  }

  /** Synchronous, for the last resort on process exit. */
  killAll() {
    this.stopping = true;
    for (const c of this.children) if (c.proc) signal(c.proc.pid, 'SIGKILL', true);
  }

  pids() {
    return this.children.filter((c) => c.proc).map((c) => ({ name: c.name, pid: c.proc.pid }));
  }
}
