import { Context } from '@temporalio/activity';
import { CATEGORIES, windowKeyFor, type Schedule } from '../lib/rules/schedule';
import type { RegistrationWindow } from '../lib/rules/reminders';
import { DAY_MS } from '../lib/time';
import type { ActivityDeps } from './deps';
import type { TransitionWrite } from './entrants';
import { mailJobId, type MailJob } from './mail/queue';
import { isEssential, type MailTemplate, type TemplateParams } from './mail/templates';

// Activities never talk SMTP: they put a job on the `email` queue, keyed so that a retry
// or a second run of the same step finds the job already there.

export interface Recipient {
  email: string | null;
  /** account.mail_reminders: false turns off reminders, never decisions. */
  mailReminders: boolean;
}

/** Queues one mail unless the account has no address or turned this (non-essential) kind off. */
export async function queueMail<K extends MailTemplate>(
  deps: ActivityDeps,
  jobId: string,
  to: Recipient,
  template: K,
  params: TemplateParams[K],
): Promise<boolean> {
  if (!to.email) return false;
  if (!isEssential(template) && !to.mailReminders) return false;
  await deps.mail.queue.enqueue(jobId, { to: to.email, template, params } as MailJob);
  return true;
}

/** Queues a mail to an account by id (for stages that address accounts directly: experts, objectors). */
export async function queueMailToAccount<K extends MailTemplate>(
  deps: ActivityDeps,
  jobId: string,
  accountId: string,
  template: K,
  params: TemplateParams[K],
): Promise<boolean> {
  const [row] = await deps.orm.em.fork().getConnection().execute(`select email, mail_reminders from account where id = ? and not disabled`, [accountId]);
  if (!row) return false;
  return queueMail(deps, jobId, { email: row.email, mailReminders: row.mail_reminders }, template, params);
}

/** Which entrant events mail the entrant; the rest (scores, assignment, votes closing) do not. */
const TRANSITION_MAILS: Record<string, MailTemplate> = {
  registered: 'registration_received',
  approved: 'approved',
  rejected: 'rejected',
  expired: 'expired',
  disqualified: 'disqualified',
  recommended: 'recommended', // 市州推优
  selected: 'selected',
  not_selected: 'not_selected',
  published: 'results_published', // 公示
  finalised: 'award',
};

interface EntrantMailRow {
  name: string;
  category: 'teacher' | 'student' | 'education_worker';
  email: string | null;
  mail_reminders: boolean;
  campaign: string;
  schedule: Schedule;
  notice_days: number | null;
  city: string;
}

export function entrantLink(publicUrl: string, entrantId: string): string {
  return `${publicUrl}/entrants/${entrantId}`;
}

/**
 * The mail for one recorded entrant transition, queued with the id
 * `<workflowId>.<seq>.<event>`: the same transition written twice (a retried activity)
 * queues one mail.
 */
export async function notifyTransition(deps: ActivityDeps, t: TransitionWrite): Promise<boolean> {
  const event = t.eventKey.slice(t.eventKey.indexOf(':') + 1);
  const template = TRANSITION_MAILS[event];
  if (!template) return false;
  if (template === 'award' && !t.details?.award) return false; // not awarded: the published mail said enough
  const [row] = (await deps.orm.em.fork().getConnection().execute(
    `select e.name, e.category, a.email, a.mail_reminders, c.name as campaign, c.schedule,
            (c.config->>'noticeDays')::int as notice_days, ci.name as city
     from entrant e join account a on a.id = e.account_id join campaign c on c.id = e.campaign_id join city ci on ci.id = e.city_id
     where e.id = ?`,
    [t.entrantId],
  )) as EntrantMailRow[];
  if (!row?.email) return false;
  const windows = row.schedule.windows;
  const common = { name: row.name, campaign: row.campaign, link: entrantLink(deps.mail.publicUrl, t.entrantId) };
  const registrationCloses = windows[windowKeyFor(row.category, 'registration')].closesAt;
  const to: Recipient = { email: row.email, mailReminders: row.mail_reminders };
  const jobId = mailJobId(t.workflowId, t.eventKey);
  switch (template) {
    case 'registration_received':
      return queueMail(deps, jobId, to, template, { ...common, deadline: registrationCloses });
    case 'approved':
      return queueMail(deps, jobId, to, template, { ...common, deadline: windows[windowKeyFor(row.category, 'voting')].closesAt });
    case 'rejected':
      return queueMail(deps, jobId, to, template, { ...common, reason: t.reason ?? '', deadline: registrationCloses });
    case 'expired':
      return queueMail(deps, jobId, to, template, { ...common, reason: t.reason });
    case 'disqualified':
      return queueMail(deps, jobId, to, template, { ...common, reason: t.reason ?? '' });
    case 'recommended':
      return queueMail(deps, jobId, to, template, { ...common, city: row.city });
    case 'selected':
      return queueMail(deps, jobId, to, template, { ...common, deadline: windows.review.closesAt });
    case 'not_selected':
      return queueMail(deps, jobId, to, template, common);
    case 'results_published': {
      const objectionsClose = new Date(Date.parse(t.at) + (row.notice_days ?? 7) * DAY_MS).toISOString();
      return queueMail(deps, jobId, to, template, { ...common, deadline: objectionsClose });
    }
    case 'award':
      return queueMail(deps, jobId, to, template, { ...common, award: String(t.details?.award) });
    default:
      return false;
  }
}

const REMINDER_PAGE = 500;
const ENQUEUE_CONCURRENCY = 50;

async function inBatches<T>(items: T[], size: number, each: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(each));
}

export interface ReminderInput {
  campaignId: string;
  window: RegistrationWindow;
  /** The deadline the reminder is about; part of the job ids, so a moved deadline reminds afresh. */
  closesAt: string;
}

type ReminderCursor = { phase: 'entrants'; after: string } | { phase: 'schools'; after: number };

export function notificationActivities(deps: ActivityDeps) {
  const { orm } = deps;
  return {
    /**
     * 报名截止前3天: reminds every entrant still pending approval in the window's categories,
     * and each school admin of a school with pending entrants (one mail with the count).
     * Pages with the cursor in the heartbeat, so a retry resumes where the last attempt stopped;
     * job ids (campaign, window, deadline, recipient) make a repeated page queue nothing new.
     */
    async sendRegistrationReminders(input: ReminderInput): Promise<{ entrants: number; schoolAdmins: number }> {
      const ctx = Context.current();
      const conn = orm.em.fork().getConnection();
      const categories = `{${CATEGORIES.filter((c) => windowKeyFor(c, 'registration') === input.window).join(',')}}`;
      const closesMs = Date.parse(input.closesAt);
      const [campaign] = await conn.execute(`select name from campaign where id = ?`, [input.campaignId]);
      if (!campaign) return { entrants: 0, schoolAdmins: 0 };
      const jobId = (kind: string, recipient: string) => mailJobId('reminder', input.campaignId, input.window, closesMs, kind, recipient);
      let cursor: ReminderCursor = (ctx.info.heartbeatDetails as ReminderCursor | undefined) ?? { phase: 'entrants', after: '00000000-0000-0000-0000-000000000000' };
      let entrants = 0;
      let schoolAdmins = 0;

      while (cursor.phase === 'entrants') {
        // Accounts that turned reminders off are skipped here rather than mailed and dropped.
        const page: { id: string; name: string; email: string }[] = await conn.execute(
          `select e.id, e.name, a.email from entrant e join account a on a.id = e.account_id
           where e.campaign_id = ? and e.category = any(?::text[]) and e.state = 'pending_approval' and e.id > ?
             and a.email is not null and a.mail_reminders and not a.disabled
           order by e.id limit ?`,
          [input.campaignId, categories, cursor.after, REMINDER_PAGE],
        );
        await inBatches(page, ENQUEUE_CONCURRENCY, async (e) => {
          const params = { name: e.name, campaign: campaign.name, link: entrantLink(deps.mail.publicUrl, e.id), deadline: input.closesAt };
          if (await queueMail(deps, jobId('entrant', e.id), { email: e.email, mailReminders: true }, 'pending_reminder_entrant', params)) entrants += 1;
        });
        cursor = page.length < REMINDER_PAGE ? { phase: 'schools', after: 0 } : { phase: 'entrants', after: page[page.length - 1].id };
        ctx.heartbeat(cursor);
      }

      for (;;) {
        const schools: { school_id: number; school: string; pending: number }[] = await conn.execute(
          `select e.school_id, s.name as school, count(*)::int as pending from entrant e join school s on s.id = e.school_id
           where e.campaign_id = ? and e.category = any(?::text[]) and e.state = 'pending_approval' and e.school_id > ?
           group by e.school_id, s.name order by e.school_id limit ?`,
          [input.campaignId, categories, cursor.after, REMINDER_PAGE],
        );
        if (schools.length === 0) break;
        const bySchool = new Map(schools.map((s) => [s.school_id, s]));
        const admins: { id: string; email: string; display_name: string; school_id: number }[] = await conn.execute(
          `select id, email, display_name, school_id from account
           where role = 'school_admin' and school_id = any(?::int[]) and email is not null and mail_reminders and not disabled`,
          [`{${schools.map((s) => s.school_id).join(',')}}`],
        );
        const link = `${deps.mail.publicUrl}/admin/entrants?campaignId=${encodeURIComponent(input.campaignId)}&state=pending_approval`;
        await inBatches(admins, ENQUEUE_CONCURRENCY, async (a) => {
          const s = bySchool.get(a.school_id)!;
          const params = { name: a.display_name, campaign: campaign.name, link, deadline: input.closesAt, school: s.school, pending: s.pending };
          if (await queueMail(deps, jobId('school-admin', a.id), { email: a.email, mailReminders: true }, 'pending_reminder_school', params)) schoolAdmins += 1;
        });
        cursor = { phase: 'schools', after: schools[schools.length - 1].school_id };
        ctx.heartbeat(cursor);
      }
      return { entrants, schoolAdmins };
    },
  };
}
