import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  patched,
  proxyActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Actor } from '../lib/rules/schedule';

export type PublicationPhase = 'publishing' | 'notice' | 'finalising' | 'final';

export interface PublicationInput {
  campaignId: string;
  /** The province admin who published, and why: the first entry of the audit trail. */
  actor: Actor;
  reason: string;
  /** Carried over continue-as-new. */
  carried?: { phase: 'notice' | 'finalising'; publishedAt: string; noticeEndsAt: string; entrants: number; extensions: number; news: boolean };
}

export interface PublicationView {
  campaignId: string;
  phase: PublicationPhase;
  publishedAt: string | null;
  noticeEndsAt: string | null;
  entrants: number;
  extensions: number;
  /** From the latest finalisation sweep. */
  held: number;
  awaitingReview: number;
}

export interface ExtendNoticeRequest {
  /** The new end of the notice period: later than the current one. */
  until: string;
  actor: Actor;
  reason: string;
}

export interface ObjectionNews {
  objectionId: string;
  entrantId: string;
  actor: Actor;
  reason?: string;
}

export interface ObjectionSettlement extends ObjectionNews {
  decision: 'dismiss' | 'uphold';
  action?: 'disqualify' | 'rereview' | 'correct';
  reason: string;
}

export const extendNoticeUpdate = defineUpdate<PublicationView, [ExtendNoticeRequest]>('extendNotice');
export const objectionFiledSignal = defineSignal<[ObjectionNews]>('objectionFiled');
export const objectionSettledSignal = defineSignal<[ObjectionSettlement]>('objectionSettled');
export const publicationStateQuery = defineQuery<PublicationView>('state');

const { snapshotResults, recordNoticeExtension, processObjections, sweepLateReReviews } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['Conflict'] },
});

// Fan-outs to every published entrant: paced pages with the cursor in the heartbeat.
const { announceResults, finaliseResults } = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes' },
});

/** How often a finalisation held by a re-review looks again (the review has no signal to us). */
const REVIEW_RECHECK_MS = 60 * 60 * 1000;

const SYSTEM: Actor = { accountId: 'system', role: 'system', name: '公示期满' };

function refuse(kind: 'ValidationFailed' | 'WindowClosed', message: string): never {
  throw ApplicationFailure.nonRetryable(message, kind);
}

/**
 * 公示 (SPEC §8): one per campaign, id `publication-<campaignId>`. Snapshots the results, tells
 * every entrant they are published, runs the notice period (extendable by the province admin),
 * then finalises every entrant not held by an objection; a held entrant is finalised once its
 * objections are settled (and a re-review it was given is complete).
 */
export async function publication(input: PublicationInput): Promise<PublicationView> {
  const c = input.carried;
  let phase: PublicationPhase = c?.phase ?? 'publishing';
  let publishedAt = c ? Date.parse(c.publishedAt) : 0;
  let noticeEndsAt = c ? Date.parse(c.noticeEndsAt) : 0;
  let entrants = c?.entrants ?? 0;
  let extensions = c?.extensions ?? 0;
  // Objections filed or settled since the last look: one activity reads them all (never one per signal).
  let news = c?.news ?? false;
  let held = 0;
  let awaitingReview = 0;

  const iso = (ms: number) => (ms ? new Date(ms).toISOString() : null);
  const view = (): PublicationView => ({ campaignId: input.campaignId, phase, publishedAt: iso(publishedAt), noticeEndsAt: iso(noticeEndsAt), entrants, extensions, held, awaitingReview });

  setHandler(publicationStateQuery, view);
  setHandler(objectionFiledSignal, () => void (news = true));
  setHandler(objectionSettledSignal, () => void (news = true));

  setHandler(
    extendNoticeUpdate,
    async (req) => {
      extensions += 1;
      noticeEndsAt = Date.parse(req.until);
      await recordNoticeExtension({ campaignId: input.campaignId, n: extensions, until: new Date(noticeEndsAt).toISOString(), actor: req.actor, reason: req.reason, at: new Date().toISOString() });
      return view();
    },
    {
      validator: (req) => {
        if (!req?.actor?.accountId || !req.actor.role) refuse('ValidationFailed', 'who extends the notice is required');
        if (!req.reason?.trim()) refuse('ValidationFailed', 'a reason is required');
        const until = Date.parse(req.until);
        if (Number.isNaN(until)) refuse('ValidationFailed', `not an instant: ${req.until}`);
        if (phase !== 'notice') refuse('WindowClosed', phase === 'publishing' ? 'the results are still being published' : 'the notice period is over');
        if (until <= noticeEndsAt) refuse('ValidationFailed', `the notice already runs until ${new Date(noticeEndsAt).toISOString()}; give a later end`);
      },
    },
  );

  const carryOn = async (): Promise<never> => {
    await condition(allHandlersFinished);
    return continueAsNew<typeof publication>({
      ...input,
      carried: { phase: phase as 'notice' | 'finalising', publishedAt: iso(publishedAt)!, noticeEndsAt: iso(noticeEndsAt)!, entrants, extensions, news },
    });
  };

  if (!c) {
    const snap = await snapshotResults({ campaignId: input.campaignId, workflowId: workflowInfo().workflowId, actor: input.actor, reason: input.reason, publishedAt: new Date().toISOString() });
    publishedAt = Date.parse(snap.publishedAt);
    noticeEndsAt = Date.parse(snap.noticeEndsAt);
    entrants = snap.entrants;
    phase = 'notice';
    await announceResults({ campaignId: input.campaignId, actor: input.actor });
  }

  // The notice period: a timer to its (movable) end; objections are filed meanwhile.
  while (phase === 'notice') {
    if (news) {
      news = false;
      await processObjections({ campaignId: input.campaignId });
    }
    const endsAt = noticeEndsAt;
    if (Date.now() >= endsAt) break;
    await condition(() => news || noticeEndsAt !== endsAt, endsAt - Date.now());
    if (workflowInfo().continueAsNewSuggested) await carryOn();
  }
  phase = 'finalising';

  // Finalisation: sweeps until nothing is held; a settlement (or, for re-reviews, time) wakes it.
  for (;;) {
    news = false;
    await processObjections({ campaignId: input.campaignId });
    const swept = await finaliseResults({ campaignId: input.campaignId, actor: SYSTEM });
    held = swept.held;
    awaitingReview = swept.awaitingReview;
    if (swept.final) break;
    if (awaitingReview > 0) {
      // A re-review expert past its own deadline without a score is replaced, with a seed
      // from this history (added with a patch: earlier histories never called it).
      if (patched('re-review-sweep')) await sweepLateReReviews({ campaignId: input.campaignId, seed: uuid4(), at: Date.now() });
      await condition(() => news, REVIEW_RECHECK_MS);
    } else await condition(() => news);
    if (workflowInfo().continueAsNewSuggested) await carryOn();
  }
  phase = 'final';
  await condition(allHandlersFinished);
  return view();
}
