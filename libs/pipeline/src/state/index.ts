/**
 * Every write to `job_stages`, `clips` and `stage_parts` lives in this folder
 * (lint refuses that SQL anywhere else), one module per table. Writes fenced
 * by a lease compare the attempt under a row lock; the shared lease SQL is in
 * lease.sql.ts. A completion or failure returns its Settlement (what became
 * runnable, what settled, the job as the transaction left it).
 *
 * Transitions (`*` = a running row whose heartbeat is older than STALL_SECONDS):
 *
 * | table      | from → to                                          | method                        | caller                                              |
 * | ---------- | -------------------------------------------------- | ----------------------------- | --------------------------------------------------- |
 * | job_stages | ∅ → probe completed, worker stages pending         | StageRows.create              | JobOrchestrator.createJob                           |
 * | job_stages | pending → completed / skipped (copied)             | StageRows.markReused          | reuseAnalysis (in createJob)                        |
 * | job_stages | pending → queued, once every input is done         | StageRows.promoteReady        | StageRows.complete, JobOrchestrator create / re-run |
 * | job_stages | pending → queued / skipped (rendering, by clips)   | StageRows.promoteReady        | same                                                |
 * | job_stages | pending → queued, inputs done but not promoted     | StageRows.promoteStranded     | Reconciler                                          |
 * | job_stages | queued, running* → running (attempt + 1)           | StageRows.claim               | stageLease (WorkerHost → StageRunner)               |
 * | job_stages | running → running (heartbeat, progress)            | StageRows.heartbeat           | stageLease                                          |
 * | job_stages | running → completed / skipped                      | StageRows.complete            | stageLease                                          |
 * | job_stages | running → queued (retry_at) / failed               | StageRows.fail                | stageLease                                          |
 * | job_stages | running* → queued / failed (last attempt)          | StageRows.takeBack            | Reconciler, StageRows.claim                         |
 * | job_stages | pending, queued, running → cancelled               | StageRows.cancelOpen          | StageRows.settleJob, JobOrchestrator.cancelJob      |
 * | job_stages | cancelled → pending                                | StageRows.reopenCancelled     | JobOrchestrator.rerunStage                          |
 * | job_stages | any → pending (the stage and its downstream)       | StageRows.reset               | JobOrchestrator.rerunStage                          |
 * | job_stages | rendering queued → running (first clip claimed)    | StageRows.startRenderingRow   | ClipRows.claim                                      |
 * | job_stages | rendering → rendering (aggregate progress)         | StageRows.reportRendering     | ClipRows.report / heartbeat                         |
 * | job_stages | rendering → completed / failed (no clip open)      | StageRows.settleRendering     | ClipRows.complete / fail / takeBack                 |
 * | job_stages | rendering settled → queued                         | StageRows.requeueRendering    | ClipRerenderer                                      |
 * | clips      | ∅ → queued (selected segment × aspect)             | ClipRows.insertQueued         | segmentsOutputs.save (SegmentingHandler), reuseAnalysis, rerunStage, ClipRerenderer.promoteSegment |
 * | clips      | failed, cancelled → queued                         | ClipRows.requeueFailed        | JobOrchestrator.rerunStage (retry)                  |
 * | clips      | any → deleted (segment no longer selected)         | ClipRows.deleteUnselected     | JobOrchestrator.rerunStage                          |
 * | clips      | queued, rendering* → rendering (attempt + 1)       | ClipRows.claim                | clipLease (WorkerHost → StageRunner)                |
 * | clips      | rendering → rendering (heartbeat, progress)        | ClipRows.heartbeat / report   | clipLease                                           |
 * | clips      | rendering → completed (publishes its keys)         | ClipRows.complete             | clipLease                                           |
 * | clips      | rendering → queued (retry_at) / failed             | ClipRows.fail                 | clipLease                                           |
 * | clips      | rendering* → queued / failed (last attempt)        | ClipRows.takeBack             | Reconciler, ClipRows.claim                          |
 * | clips      | queued, rendering → cancelled                      | ClipRows.cancelOpen           | StageRows.settleJob, JobOrchestrator.cancelJob      |
 * | clips      | completed, failed, cancelled → queued (a version)  | ClipRows.requestRender        | ClipRerenderer (edits, promote)                     |
 * | clips      | version → version + 1                              | ClipRows.bumpVersion(s…)      | ClipEditsService (API)                              |
 * | stage_parts| ∅ → queued (replacing the previous plan)           | PartRows.plan                 | PartCoordinator.run                                 |
 * | stage_parts| queued, running* → running (attempt + 1)           | PartRows.claim / claimNext    | PartCoordinator (its own loop and part messages)    |
 * | stage_parts| running → running (heartbeat, progress)            | PartRows.heartbeat            | PartCoordinator                                     |
 * | stage_parts| running → completed (with its result)              | PartRows.complete             | PartCoordinator                                     |
 * | stage_parts| running → queued / failed                          | PartRows.fail                 | PartCoordinator                                     |
 * | stage_parts| running* → queued / failed (last attempt)          | PartRows.takeBack             | Reconciler, PartRows.claim                          |
 * | stage_parts| queued, running → cancelled                        | PartRows.cancelOpen           | StageRows.settleJob                                 |
 *
 * `StageRows.settleJob` also moves the job: running → completed when every
 * stage is done, → failed (cancelling what is open, above) when one failed.
 */
export * from './backoff';
export * from './clip-rows';
export * from './part-rows';
export * from './runnable.types';
export * from './settlement';
export * from './stage-rows';
export * from './stale-attempt.error';
