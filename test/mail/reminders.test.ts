import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { mailJobId, type MailJob } from '../../activities/mail/queue';
import type { Orm } from '../../db/orm';
import { campaignWorkflowId, TASK_QUEUE } from '../../lib/ids';
import type { Category } from '../../lib/rules/schedule';
import { DAY_MS } from '../../lib/time';
import { campaign, extendWindowUpdate } from '../../workflows';
import { firstSchoolOfCity, makeAccount, makeCampaign, makeEntrantRow, testOrm, uniqueId } from '../helpers/db';
import { exportHistory } from '../helpers/histories';
import { testMailQueue } from '../helpers/mail';
import { startWorker, timeSkippingEnv, type RunningWorker } from '../helpers/temporal';
import { eventually } from '../helpers/wait';
import { windowsAround } from '../helpers/windows';

// 报名截止前3天: one campaign timer, one batched activity, one mail per pending entrant and per
// school admin — and never a second one for the same deadline.
const PUBLIC_URL = 'https://lss.example.cn';
const province = { accountId: 'a0000000-0000-4000-8000-000000000002', role: 'province_admin', name: '省组委会' };

let env: TestWorkflowEnvironment;
let orm: Orm;
let queue: ReturnType<typeof testMailQueue>;
let worker: RunningWorker;

beforeAll(async () => {
  [env, orm] = await Promise.all([timeSkippingEnv(), testOrm()]);
  queue = testMailQueue('reminders');
  worker = await startWorker(env, { orm, mail: { queue, publicUrl: PUBLIC_URL } });
});

afterAll(async () => {
  await worker?.stop();
  await queue?.obliterate();
  await env?.teardown();
  await orm?.close();
});

const conn = () => orm.em.fork().getConnection();

async function withEmail(accountId: string, reminders = true): Promise<string> {
  const email = `${uniqueId('m')}@example.cn`;
  await conn().execute(`update account set email = ?, mail_reminders = ? where id = ?`, [email, reminders, accountId]);
  return email;
}

async function entrant(campaignId: string, school: string, opts: { category?: Category; email?: boolean; reminders?: boolean; state?: string } = {}) {
  const row = await makeEntrantRow(orm, campaignId, opts.category ?? 'teacher', school);
  await conn().execute(`update entrant set state = ? where id = ?`, [opts.state ?? 'pending_approval', row.id]);
  const email = opts.email === false ? null : await withEmail(row.account.id, opts.reminders ?? true);
  return { ...row, email };
}

async function schoolAdmin(school: { id: number; county_id: number; city_id: number }, reminders = true) {
  const a = await makeAccount(orm, 'school_admin', { schoolId: school.id, countyId: school.county_id, cityId: school.city_id });
  return { ...a, email: await withEmail(a.id, reminders) };
}

/** The reminder jobs of a campaign, by job id. */
async function reminderJobs(campaignId: string): Promise<Map<string, MailJob>> {
  const jobs = await queue.queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed'], 0, 10_000);
  return new Map(jobs.filter((j) => j.id?.startsWith(mailJobId('reminder', campaignId))).map((j) => [j.id!, j.data as MailJob]));
}

describe('registration reminders', () => {
  test('when the reminder runs twice, then each pending entrant and each school admin with pending entrants gets one mail, opt-outs none', async () => {
    const t = windowsAround(Date.now());
    const campaignId = await makeCampaign(orm, t.windows);
    const schoolA = await firstSchoolOfCity(orm, '黄石市', 5);
    const schoolB = await firstSchoolOfCity(orm, '武汉市');
    const schoolC = await firstSchoolOfCity(orm, '宜昌市');
    const pending = await entrant(campaignId, schoolA.name);
    const optedOut = await entrant(campaignId, schoolA.name, { reminders: false });
    await entrant(campaignId, schoolA.name, { email: false });
    await entrant(campaignId, schoolA.name, { state: 'approved' });
    await entrant(campaignId, schoolA.name, { category: 'student' }); // the students' window, not this one
    const pendingB = await entrant(campaignId, schoolB.name, { category: 'education_worker' }); // follows the teachers' window
    const [adminA1, adminA2, adminB] = [await schoolAdmin(schoolA), await schoolAdmin(schoolA), await schoolAdmin(schoolB)];
    await schoolAdmin(schoolA, false);
    await schoolAdmin(schoolC); // no pending entrants at this school

    const closesAt = t.windows['teacher.registration'].closesAt;
    const activities = createActivities({ orm, temporal: env.client, mail: { queue, publicUrl: PUBLIC_URL } });
    const input = { campaignId, window: 'teacher.registration' as const, closesAt };
    const first = await new MockActivityEnvironment().run(activities.sendRegistrationReminders, input);
    const again = await new MockActivityEnvironment().run(activities.sendRegistrationReminders, input);

    expect(first).toEqual({ entrants: 2, schoolAdmins: 3 });
    expect(again).toEqual(first);
    const jobs = await reminderJobs(campaignId);
    const id = (kind: string, recipient: string) => mailJobId('reminder', campaignId, 'teacher.registration', Date.parse(closesAt), kind, recipient);
    expect([...jobs.keys()].sort()).toEqual(
      [id('entrant', pending.id), id('entrant', pendingB.id), id('school-admin', adminA1.id), id('school-admin', adminA2.id), id('school-admin', adminB.id)].sort(),
    );
    expect(jobs.get(id('entrant', pending.id))).toMatchObject({ to: pending.email, template: 'pending_reminder_entrant', params: { deadline: closesAt, link: `${PUBLIC_URL}/entrants/${pending.id}` } });
    expect(jobs.get(id('school-admin', adminA1.id))).toMatchObject({ to: adminA1.email, template: 'pending_reminder_school', params: { school: schoolA.name, pending: 3 } });
    expect(jobs.get(id('school-admin', adminB.id))).toMatchObject({ params: { pending: 1 } });

    // Reminders are off for this account; a decision about it is still mailed.
    expect([...jobs.values()].some((j) => j.to === optedOut.email)).toBe(false);
    await activities.recordTransition({
      workflowId: optedOut.workflowId,
      entrantId: optedOut.id,
      eventKey: '2:approved',
      from: 'pending_approval',
      to: 'approved',
      actor: { accountId: adminA1.id, role: 'school_admin' },
      at: new Date().toISOString(),
    });
    expect((await queue.queue.getJob(mailJobId(optedOut.workflowId, '2:approved')))?.data).toMatchObject({ to: optedOut.email, template: 'approved' });
  });

  test('when a retry resumes from its heartbeat cursor, then it skips the pages already done', async () => {
    const t = windowsAround(Date.now());
    const campaignId = await makeCampaign(orm, t.windows);
    const school = await firstSchoolOfCity(orm, '十堰市');
    await entrant(campaignId, school.name);
    await schoolAdmin(school);
    const activities = createActivities({ orm, temporal: env.client, mail: { queue, publicUrl: PUBLIC_URL } });
    const resumed = new MockActivityEnvironment({ heartbeatDetails: { phase: 'schools', after: 0 } });
    const beats: unknown[] = [];
    resumed.on('heartbeat', (d: unknown) => beats.push(d));
    const result = await resumed.run(activities.sendRegistrationReminders, { campaignId, window: 'teacher.registration' as const, closesAt: t.windows['teacher.registration'].closesAt });
    expect(result).toEqual({ entrants: 0, schoolAdmins: 1 });
    expect(beats).toEqual([{ phase: 'schools', after: school.id }]);
  });

  test('when the campaign clock reaches 3 days before registration closes, then it reminds; a moved deadline reminds again', async () => {
    const t = windowsAround(await env.currentTimeMs());
    const campaignId = await makeCampaign(orm, t.windows);
    const school = await firstSchoolOfCity(orm, '荆州市');
    const e = await entrant(campaignId, school.name);
    const handle = await env.client.workflow.start(campaign, { taskQueue: TASK_QUEUE, workflowId: campaignWorkflowId(campaignId), args: [{ campaignId, windows: t.windows }] });
    const reminderId = (closesMs: number) => mailJobId('reminder', campaignId, 'teacher.registration', closesMs, 'entrant', e.id);

    // Teachers' registration closes at day+4 00:00: the reminder is due at day+1 00:00.
    const remindAt = t.teacherRegistrationCloses - 3 * DAY_MS;
    await env.sleep(remindAt - 60_000 - (await env.currentTimeMs()));
    expect((await reminderJobs(campaignId)).size).toBe(0);
    await env.sleep(120_000);
    await eventually(async () => ((await queue.queue.getJob(reminderId(t.teacherRegistrationCloses))) ? true : undefined), 'the reminder job');

    // 延期: two more days, so a fresh reminder three days before the new deadline.
    const closesAt = new Date(t.teacherRegistrationCloses + 2 * DAY_MS).toISOString();
    await handle.executeUpdate(extendWindowUpdate, { args: [{ window: 'teacher.registration', closesAt, actor: province, reason: '报名情况不理想，延期两天' }] });
    await env.sleep(Date.parse(closesAt) - 3 * DAY_MS + 60_000 - (await env.currentTimeMs()));
    await eventually(async () => ((await queue.queue.getJob(reminderId(Date.parse(closesAt)))) ? true : undefined), 'the second reminder job');
    expect([...(await reminderJobs(campaignId)).keys()].sort()).toEqual([reminderId(t.teacherRegistrationCloses), reminderId(Date.parse(closesAt))].sort());
    await exportHistory('campaign-schedule-reminders', handle);
    await handle.terminate('test done');
  });
});
