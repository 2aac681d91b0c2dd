import { ALL_JOBS_ROOM, jobRoom, ownerRoom, type StageProgressEvent } from '@clipline/contracts';
import { readFileSync } from 'node:fs';
import { smallMp4 } from '../fixtures/small-media.fixture';
import { startApi, streamJob, type ApiHarness, type TestKey } from '../support/api-app';
import { ApiSockets, type Client } from '../support/api-sockets';

jest.setTimeout(60_000);

let api: ApiHarness;
let sockets: ApiSockets;

beforeAll(async () => {
  api = await startApi();
  sockets = new ApiSockets();
});
afterAll(async () => {
  await sockets?.close();
  await api?.close();
});

const connect = (apiKey: string): Promise<Client> => sockets.connect(api.url, apiKey);

function subscribe(s: Client, req: { jobId?: string; all?: boolean }) {
  return new Promise<{ ok: boolean; error?: string }>((resolve) =>
    s.emit('subscribe', req, resolve),
  );
}

/** Creators start jobs only from their own uploads, so each job is streamed in. */
async function jobOf(key: TestKey, name: string): Promise<string> {
  const media = readFileSync(await smallMp4());
  return (await streamJob(api, key, media, { filename: `${name}.mp4` })).id;
}

/** What a worker does: one emit to the job room, the owner's room and the ops room. */
function workerEmits(jobId: string, owner: TestKey, progress: number): void {
  const e: StageProgressEvent = {
    jobId,
    stage: 'silence',
    attempt: 1,
    progress,
    etaSeconds: 3,
    at: new Date().toISOString(),
  };
  sockets.emitter
    .to([jobRoom(jobId), ownerRoom(owner.id), ALL_JOBS_ROOM])
    .emit('stage.progress', e);
}

function collect(s: Client): StageProgressEvent[] {
  const got: StageProgressEvent[] = [];
  s.on('stage.progress', (e) => got.push(e));
  return got;
}

function until(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const t = setInterval(() => {
      if (check()) {
        clearInterval(t);
        resolve();
      }
    }, 20);
  });
}

it('refuses sockets without a valid key', async () => {
  await expect(connect('clk_wrong-key-1234567890')).rejects.toThrow(/not valid/);
  await expect(connect('')).rejects.toThrow(/API key is required/);
});

it('delivers a job’s events to its owner and ops, never to another creator', async () => {
  const [alice, bob, ops] = await Promise.all([
    api.createKey('creator'),
    api.createKey('creator'),
    api.createKey('ops'),
  ]);
  const aliceJob = await jobOf(alice, 'alice');
  const bobJob = await jobOf(bob, 'bob');
  const [sa, sb, so] = await Promise.all([connect(alice.key), connect(bob.key), connect(ops.key)]);

  expect(await subscribe(sa, { jobId: aliceJob })).toEqual({ ok: true });
  expect(await subscribe(sb, { jobId: aliceJob })).toEqual({
    ok: false,
    error: `Job ${aliceJob} was not found.`,
  });
  expect(await subscribe(sb, { all: true })).toEqual({ ok: true });
  expect(await subscribe(so, { all: true })).toEqual({ ok: true });
  expect(await subscribe(sa, {})).toMatchObject({ ok: false });

  const [ga, gb, go] = [collect(sa), collect(sb), collect(so)];
  workerEmits(aliceJob, alice, 0.25);
  // Bob's own event goes out after Alice's over the same Redis channel; once it
  // arrives, Alice's would have arrived before it if Bob could receive it.
  workerEmits(bobJob, bob, 0.5);
  await until(() => gb.length >= 1 && go.length >= 2 && ga.length >= 1);

  expect(gb.map((e) => e.jobId)).toEqual([bobJob]);
  expect(ga.map((e) => [e.jobId, e.progress])).toEqual([[aliceJob, 0.25]]);
  expect(go.map((e) => e.jobId)).toEqual([aliceJob, bobJob]);
});
