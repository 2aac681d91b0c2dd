import { useCallback, useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  JobStatusEvent,
  ServerToClientEvents,
  StageProgressEvent,
} from '../../../libs/contracts/src/events.types';
import { api, plainError, storedKey } from './api.client';
import type { JobDetail } from './api.types';
import { withJobStatus, withStageProgress } from './live-patch';

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let shared: { key: string; socket: LiveSocket } | null = null;

/** One socket per key for the whole page; a key change replaces it. */
export function liveSocket(): LiveSocket {
  const key = storedKey() ?? '';
  if (shared?.key === key) return shared.socket;
  shared?.socket.close();
  shared = { key, socket: io({ auth: { apiKey: key }, transports: ['websocket', 'polling'] }) };
  return shared.socket;
}

export interface JobLive {
  job: JobDetail | null;
  error: string | null;
  /** False while the socket is down; the page then polls REST. */
  live: boolean;
  /** Bumps when a clip finishes, so clip lists refetch. */
  clipsVersion: number;
  refresh: () => void;
}

const POLL_WHEN_OFFLINE_MS = 4000;

/**
 * A job kept true to the server: REST first (on mount and every reconnect,
 * since socket.io delivers at most once), then events; state-changing events
 * trigger a REST re-read, progress events patch in place.
 */
export function useJobLive(jobId: string): JobLive {
  const [job, setJob] = useState<JobDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState(false);
  const [clipsVersion, setClipsVersion] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const seq = useRef(0);

  const load = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const j = await api<JobDetail>('GET', `/v1/jobs/${jobId}`);
      // An older response arriving late must not overwrite a newer one.
      if (mine === seq.current) {
        setJob(j);
        setError(null);
      }
    } catch (err) {
      if (mine === seq.current) setError(plainError(err));
    }
  }, [jobId]);

  const refreshSoon = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void load(), 250);
  }, [load]);

  useEffect(() => {
    const socket = liveSocket();
    const mine = (e: { jobId: string }) => e.jobId === jobId;
    const onConnect = () => {
      setLive(true);
      socket
        .timeout(5000)
        .emitWithAck('subscribe', { jobId })
        .then(
          (res) => !res.ok && setError(res.error ?? 'Live updates could not be joined.'),
          () =>
            setError('Live updates did not answer; the page refreshes from the server instead.'),
        );
      void load();
    };
    const onDisconnect = () => setLive(false);
    const onConnectError = (err: Error) => {
      setLive(false);
      setError(`Live updates are unavailable: ${err.message}`);
    };
    const onProgress = (e: StageProgressEvent) => {
      if (mine(e)) setJob((j) => (j ? withStageProgress(j, e) : j));
    };
    const onChange = (e: { jobId: string }) => {
      if (mine(e)) refreshSoon();
    };
    // The job-level numbers come as the API sent them; a new status re-reads the rest.
    const onJobStatus = (e: JobStatusEvent) => {
      if (!mine(e)) return;
      let changed = false;
      setJob((j) => {
        if (!j) return j;
        changed = j.status !== e.status;
        return withJobStatus(j, e);
      });
      if (changed) refreshSoon();
    };
    const onClip = (e: { jobId: string }) => {
      if (!mine(e)) return;
      setClipsVersion((v) => v + 1);
      refreshSoon();
    };
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('connect_error', onConnectError);
    socket.on('stage.progress', onProgress);
    socket.on('stage.started', onChange);
    socket.on('stage.completed', onChange);
    socket.on('stage.failed', onChange);
    socket.on('job.status', onJobStatus);
    socket.on('clip.ready', onClip);
    if (socket.connected) onConnect();
    else void load();
    return () => {
      socket.off('connect', onConnect);
      socket.off('disconnect', onDisconnect);
      socket.off('connect_error', onConnectError);
      socket.off('stage.progress', onProgress);
      socket.off('stage.started', onChange);
      socket.off('stage.completed', onChange);
      socket.off('stage.failed', onChange);
      socket.off('job.status', onJobStatus);
      socket.off('clip.ready', onClip);
      if (socket.connected) socket.emit('unsubscribe', { jobId });
      if (timer.current) clearTimeout(timer.current);
    };
  }, [jobId, load, refreshSoon]);

  useEffect(() => {
    if (live) return;
    const t = setInterval(() => void load(), POLL_WHEN_OFFLINE_MS);
    return () => clearInterval(t);
  }, [live, load]);

  return { job, error, live, clipsVersion, refresh: () => void load() };
}
