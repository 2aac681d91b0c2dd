import pino from 'pino';
import { Writable } from 'node:stream';
import { PinoNestLogger } from './app-logger';

function capture(level: pino.Level = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, logger: new PinoNestLogger(pino({ level, base: { app: 't' } }, sink)) };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('PinoNestLogger', () => {
  it("keeps Nest's start-up chatter at debug and the rest at its level, with the context", async () => {
    const { lines, logger } = capture();
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('Mapped {/v1/jobs, GET} route', 'RouterExplorer');
    logger.log('queue clipline-silence: Redis reconnected', 'Redis');
    logger.warn('slow', 'InfraBreaker');
    await flush();
    expect(lines.map((l) => [l.level, l.context, l.msg])).toEqual([
      [30, 'Redis', 'queue clipline-silence: Redis reconnected'],
      [40, 'InfraBreaker', 'slow'],
    ]);
  });

  it('logs errors with their stack, whether Nest passes the Error or its stack text', async () => {
    const { lines, logger } = capture();
    const err = new Error('boom');
    logger.error(err);
    logger.error('handler failed', err.stack, 'ExceptionsHandler');
    await flush();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 50, msg: 'boom' });
    expect((lines[0].err as { stack: string }).stack).toMatch(/\n\s+at /);
    expect(lines[1]).toMatchObject({
      level: 50,
      msg: 'handler failed',
      context: 'ExceptionsHandler',
    });
    expect((lines[1].err as { stack: string }).stack).toMatch(/^Error: boom\n\s+at /);
  });
});
