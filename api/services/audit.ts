import path from 'node:path';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';

type History = temporal.api.history.v1.IHistory;
type Event = temporal.api.history.v1.IHistoryEvent;

// What each message means to a person reading a dispute (SPEC §3 terms).
const MESSAGE_LABELS: Record<string, string> = {
  approve: '资格审核通过 approved',
  reject: '资格审核未通过 rejected',
  resubmit: '修改后重新提交 resubmitted',
  withdraw: '退出活动 withdrew',
  disqualify: '取消资格 disqualified',
  recommend: '市州推优 recommended',
  unrecommend: '撤回推优 recommendation withdrawn',
  scheduleChanged: '活动时间调整 schedule changed',
  selection: '入选/未入选专家评审 selection',
  assignment: '分配评审专家 experts assigned',
  score: '专家评分 expert score',
  reviewReopened: '重新评审 review reopened',
  scoreCorrected: '成绩更正 score corrected',
  published: '结果公示 published',
  finalised: '评奖结果 finalised',
  advanceWindow: '提前 window advanced',
  extendWindow: '延期 window extended',
};

export interface TimelineStep {
  eventId: number;
  at: string;
  kind: 'started' | 'decision' | 'message' | 'deadline' | 'refused' | 'completed' | 'failed';
  what: string;
  who?: { accountId?: string; role?: string; name?: string };
  why?: string;
  details?: Record<string, unknown>;
}

function decode(payloads: Payload[] | null | undefined): unknown[] {
  return (payloads ?? []).map((p) => {
    try {
      return defaultPayloadConverter.fromPayload(p);
    } catch {
      return '(undecodable payload)';
    }
  });
}

function time(e: Event): string {
  const t = e.eventTime;
  if (!t) return '';
  const seconds = typeof t.seconds === 'number' ? t.seconds : Number(t.seconds ?? 0);
  return new Date(seconds * 1000 + Math.floor((t.nanos ?? 0) / 1e6)).toISOString();
}

function actorOf(arg: unknown): { who?: TimelineStep['who']; why?: string; rest: Record<string, unknown> } {
  if (!arg || typeof arg !== 'object') return { rest: {} };
  const { actor, reason, ...rest } = arg as { actor?: TimelineStep['who']; reason?: string };
  return { who: actor, why: reason, rest };
}

/** A readable account of a workflow's history: every step with when, who, what and why. */
export function timelineOf(history: History): TimelineStep[] {
  const steps: TimelineStep[] = [];
  const timers = new Map<string, number>();
  const updates = new Map<string, string>();
  for (const e of history.events ?? []) {
    const id = Number(e.eventId);
    const at = time(e);
    if (e.workflowExecutionStartedEventAttributes) {
      const [input] = decode(e.workflowExecutionStartedEventAttributes.input?.payloads);
      const { who, rest } = actorOf(input);
      steps.push({ eventId: id, at, kind: 'started', what: `${e.workflowExecutionStartedEventAttributes.workflowType?.name} started 开始`, who, details: rest });
    } else if (e.workflowExecutionUpdateAcceptedEventAttributes) {
      const req = e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest;
      const name = req?.input?.name ?? '?';
      updates.set(req?.meta?.updateId ?? '', name);
      const [arg] = decode(req?.input?.args?.payloads);
      const { who, why, rest } = actorOf(arg);
      steps.push({ eventId: id, at, kind: 'decision', what: MESSAGE_LABELS[name] ?? name, who, why, details: Object.keys(rest).length ? rest : undefined });
    } else if (e.workflowExecutionUpdateCompletedEventAttributes) {
      const a = e.workflowExecutionUpdateCompletedEventAttributes;
      const name = updates.get(a.meta?.updateId ?? '') ?? '?';
      if (a.outcome?.failure) steps.push({ eventId: id, at, kind: 'refused', what: `${MESSAGE_LABELS[name] ?? name}: refused 未执行`, why: a.outcome.failure.message ?? undefined });
    } else if (e.workflowExecutionSignaledEventAttributes) {
      const a = e.workflowExecutionSignaledEventAttributes;
      const [arg] = decode(a.input?.payloads);
      const { who, why, rest } = actorOf(arg);
      steps.push({ eventId: id, at, kind: 'message', what: MESSAGE_LABELS[a.signalName ?? ''] ?? a.signalName ?? '?', who, why, details: Object.keys(rest).length ? rest : undefined });
    } else if (e.timerStartedEventAttributes) {
      const a = e.timerStartedEventAttributes;
      const seconds = Number(a.startToFireTimeout?.seconds ?? 0);
      timers.set(a.timerId ?? '', Date.parse(at) + seconds * 1000 + Math.floor((a.startToFireTimeout?.nanos ?? 0) / 1e6));
    } else if (e.timerFiredEventAttributes) {
      const due = timers.get(e.timerFiredEventAttributes.timerId ?? '');
      steps.push({ eventId: id, at, kind: 'deadline', what: '期限已到 deadline reached', who: { role: 'system' }, details: due ? { due: new Date(due).toISOString() } : undefined });
    } else if (e.workflowExecutionCompletedEventAttributes) {
      const [result] = decode(e.workflowExecutionCompletedEventAttributes.result?.payloads);
      const state = (result as { state?: string } | undefined)?.state;
      steps.push({ eventId: id, at, kind: 'completed', what: `completed 结束${state ? `: ${state}` : ''}`, details: state ? { state } : undefined });
    } else if (e.workflowExecutionFailedEventAttributes || e.workflowExecutionTerminatedEventAttributes) {
      steps.push({ eventId: id, at, kind: 'failed', what: 'failed or terminated 异常结束', why: e.workflowExecutionFailedEventAttributes?.failure?.message ?? e.workflowExecutionTerminatedEventAttributes?.reason ?? undefined });
    }
  }
  return steps;
}

export async function fetchHistory(temporal: Client, workflowId: string): Promise<History> {
  return temporal.workflow.getHandle(workflowId).fetchHistory();
}

/** The same JSON `temporal workflow show --output json` writes. */
export function historyJson(history: History): string {
  return historyToJSON(history as Parameters<typeof historyToJSON>[0]);
}

export function parseHistoryJson(json: unknown): History {
  return historyFromJSON(json);
}

let bundle: Promise<{ code: string }> | undefined;

/** The current workflow code, bundled once per process. */
function currentCode(): Promise<{ code: string }> {
  bundle ??= bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', '..', 'workflows'), logger: quiet });
  return bundle;
}

const noop = () => undefined;
const quiet = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };

export interface ReplayVerdict {
  workflowId: string;
  match: boolean;
  events: number;
  /** Where the current code and the stored history part ways, when they do. */
  divergence?: { eventId?: number; message: string };
}

/** Replays a history with the current workflow code: a match, or the divergence point. */
export async function replay(history: History, workflowId: string): Promise<ReplayVerdict> {
  const events = history.events?.length ?? 0;
  try {
    await Worker.runReplayHistory({ workflowBundle: await currentCode() }, history as Parameters<typeof Worker.runReplayHistory>[1], workflowId);
    return { workflowId, match: true, events };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const eventId = /HistoryEvent\(id: (\d+)/.exec(message)?.[1] ?? /event(?:Id| id)[:= ]+(\d+)/i.exec(message)?.[1];
    return { workflowId, match: false, events, divergence: { eventId: eventId ? Number(eventId) : undefined, message } };
  }
}
