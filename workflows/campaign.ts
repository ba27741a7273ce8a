import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  advanceWindow,
  edgesBetween,
  extendWindow,
  nextEdge,
  ScheduleRefusal,
  WINDOW_KEYS,
  type Actor,
  type Schedule,
  type ScheduleChange,
  type Window,
  type WindowKey,
  type Windows,
} from '../lib/rules/schedule';
import { nextReminder, remindersBetween } from '../lib/rules/reminders';
import type { ReviewProgress } from '../lib/rules/review-stage';
import { CampaignReview } from './campaign-review';

export {
  orderFourthReviewUpdate,
  replaceExpertUpdate,
  reviewProgressQuery,
  runAssignmentUpdate,
  type FourthReviewRequest,
  type ReplaceExpertRequest,
  type RunAssignmentRequest,
} from './campaign-review';

export interface CampaignInput {
  campaignId: string;
  windows: Windows;
  /** Carried over continue-as-new. */
  carried?: { schedule: Schedule; seq: number; checkedUntil: number; broadcastVersion: number; review?: ReviewProgress };
}

export interface AdvanceWindowRequest {
  window: WindowKey;
  actor: Actor;
  reason: string;
}

export interface ExtendWindowRequest {
  window: WindowKey;
  closesAt: string;
  /** Extending a window that already closed reopens it; say so explicitly. */
  reopen?: boolean;
  actor: Actor;
  reason: string;
}

export interface CampaignView {
  campaignId: string;
  schedule: Schedule;
  changes: number;
}

export const advanceWindowUpdate = defineUpdate<Schedule, [AdvanceWindowRequest]>('advanceWindow');
export const extendWindowUpdate = defineUpdate<Schedule, [ExtendWindowRequest]>('extendWindow');
export const campaignScheduleQuery = defineQuery<CampaignView>('schedule');

const { saveSchedule, recordCampaignEvent } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const { broadcastSchedule, sendRegistrationReminders } = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes' },
});

function refuse(err: unknown): never {
  if (err instanceof ScheduleRefusal) throw ApplicationFailure.nonRetryable(err.message, 'WindowClosed');
  throw err;
}

function checkRequest(actor: Actor | undefined, reason: string | undefined, window: string): void {
  if (!actor?.accountId || !actor.role) throw ApplicationFailure.nonRetryable('who made the change is required', 'ValidationFailed');
  if (!reason?.trim()) throw ApplicationFailure.nonRetryable('a reason is required', 'ValidationFailed');
  if (!(WINDOW_KEYS as readonly string[]).includes(window)) throw ApplicationFailure.nonRetryable(`unknown window ${window}`, 'ValidationFailed');
}

/** Owns the campaign clock (SPEC §2): effective deadlines, their timers, and admin changes. */
export async function campaign(input: CampaignInput): Promise<void> {
  const schedule: Schedule = input.carried?.schedule ?? { version: 1, windows: input.windows };
  let seq = input.carried?.seq ?? 0;
  let checkedUntil = input.carried?.checkedUntil ?? Date.now();
  let broadcastVersion = input.carried?.broadcastVersion ?? schedule.version;
  // Changes are applied one at a time, in the order the updates were accepted.
  let changing: Promise<unknown> = Promise.resolve();
  // Histories recorded before the reminders existed replay without their timers.
  const reminders = patched('registration-reminders');
  // Selection, assignment, review reminders and late-expert replacement (SPEC §7); histories
  // recorded before the review stage existed replay without it.
  const review = patched('review-stage') ? new CampaignReview(input.campaignId, input.carried?.review, () => schedule.windows) : undefined;
  review?.install();

  const change = (kind: ScheduleChange['kind'], window: WindowKey, after: Window, actor: Actor, reason: string): Promise<Schedule> => {
    const before = schedule.windows[window];
    schedule.windows = { ...schedule.windows, [window]: after };
    schedule.version += 1;
    seq += 1;
    const record: ScheduleChange = { seq, kind, window, at: new Date().toISOString(), actor, reason, before, after };
    const snapshot: Schedule = { version: schedule.version, windows: { ...schedule.windows } };
    const done = changing.then(() => saveSchedule({ campaignId: input.campaignId, schedule: snapshot, change: record })).then(() => snapshot);
    changing = done;
    return done;
  };

  setHandler(campaignScheduleQuery, () => ({ campaignId: input.campaignId, schedule, changes: seq }));

  setHandler(
    advanceWindowUpdate,
    (req: AdvanceWindowRequest) => {
      try {
        return change('advance', req.window, advanceWindow(schedule.windows[req.window], Date.now()), req.actor, req.reason);
      } catch (err) {
        return refuse(err);
      }
    },
    {
      validator: (req: AdvanceWindowRequest) => {
        checkRequest(req.actor, req.reason, req.window);
        try {
          advanceWindow(schedule.windows[req.window], Date.now());
        } catch (err) {
          refuse(err);
        }
      },
    },
  );

  setHandler(
    extendWindowUpdate,
    (req: ExtendWindowRequest) => {
      const reopening = Date.now() >= Date.parse(schedule.windows[req.window].closesAt);
      const after = extendWindow(schedule.windows[req.window], req.closesAt, Date.now(), req.reopen === true);
      return change(reopening ? 'reopen' : 'extend', req.window, after, req.actor, req.reason);
    },
    {
      validator: (req: ExtendWindowRequest) => {
        checkRequest(req.actor, req.reason, req.window);
        try {
          extendWindow(schedule.windows[req.window], req.closesAt, Date.now(), req.reopen === true);
        } catch (err) {
          refuse(err);
        }
      },
    },
  );

  if (!input.carried) await saveSchedule({ campaignId: input.campaignId, schedule: { ...schedule } });

  for (;;) {
    const seen = schedule.version;
    const edge = nextEdge(schedule.windows, Date.now());
    const reminder = reminders ? nextReminder(schedule.windows, Date.now()) : undefined;
    const clockAt = reminder && (!edge || reminder.at < edge.at) ? reminder.at : edge?.at;
    const reviewAt = review?.wakeAt(Date.now());
    const wakeAt = reviewAt !== undefined && (clockAt === undefined || reviewAt < clockAt) ? reviewAt : clockAt;
    const moved = () => schedule.version !== seen || broadcastVersion !== schedule.version;
    // A review request that moved the next sweep wakes the clock too, without a broadcast.
    const reviewSeen = review?.changes;
    const woken = () => moved() || (review !== undefined && review.changes !== reviewSeen);
    const changed = wakeAt !== undefined ? await condition(woken, Math.max(wakeAt - Date.now(), 1)) : (await condition(woken), true);
    await changing;
    if ((changed && moved()) || broadcastVersion !== schedule.version) {
      // Open entrants hold their own timers; tell them the effective deadlines moved.
      const version = schedule.version;
      await broadcastSchedule({ campaignId: input.campaignId, version });
      broadcastVersion = version;
    }
    const now = Date.now();
    for (const passed of edgesBetween(schedule.windows, checkedUntil, now)) {
      seq += 1;
      await recordCampaignEvent({
        campaignId: input.campaignId,
        change: { seq, kind: 'timer', window: passed.window, edge: passed.edge, at: new Date(passed.at).toISOString() },
      });
    }
    if (reminders) {
      // 报名截止前3天: one batched activity per window and deadline, not a timer per entrant.
      for (const due of remindersBetween(schedule.windows, checkedUntil, now)) {
        await sendRegistrationReminders({ campaignId: input.campaignId, window: due.window, closesAt: due.closesAt });
      }
    }
    // Selections at voting close, the draw at review opening, reminder and sweeps at its close.
    if (review) await review.runDue();
    checkedUntil = now;
    if (workflowInfo().continueAsNewSuggested) {
      await changing;
      if (review) {
        await review.idle();
        await condition(allHandlersFinished);
      }
      await continueAsNew<typeof campaign>({
        campaignId: input.campaignId,
        windows: schedule.windows,
        carried: { schedule, seq, checkedUntil, broadcastVersion, ...(review ? { review: review.progress } : {}) },
      });
    }
  }
}
