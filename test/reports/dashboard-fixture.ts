import type { Orm } from '../../db/orm';
import { noticeWindows } from '../../lib/rules/schedule';
import { makeAccount, makeCampaign } from '../helpers/db';
import { loadEntrants } from './fixtures';

const at = (s: string) => `2017-${s}+08:00`;

/**
 * The dashboard's campaign (API and browser tests): 黄石市 entrants registered on three
 * Asia/Shanghai days in every state up to reviewed, one 武汉市 entrant; votes on June 10 (two)
 * and June 11 (one) for 黄石市 entrants and one on June 10 for the 武汉市 one.
 */
export async function dashboardCampaign(orm: Orm): Promise<string> {
  const campaignId = await makeCampaign(orm, noticeWindows(2017));
  await loadEntrants(orm, campaignId, [
    { school: '420202-01', category: 'teacher', count: 3, registeredAt: at('06-01T09:00:00'), state: 'pending_approval' },
    // 23:30 UTC on June 2 is June 3 in Asia/Shanghai.
    { school: '420205-03', category: 'student', count: 2, registeredAt: '2017-06-02T23:30:00Z', state: 'pending_approval' },
    { school: '420281-01', category: 'teacher', count: 5, registeredAt: at('06-03T10:00:00'), approvedAt: at('06-04T10:00:00') },
    { school: '420290-01', category: 'teacher', count: 2, registeredAt: at('06-05T10:00:00'), approvedAt: at('06-05T12:00:00'), recommended: true },
    { school: '420205-03', category: 'student', count: 1, registeredAt: at('06-05T10:00:00'), approvedAt: at('06-05T12:00:00'), recommended: true },
    { school: '420204-01', category: 'teacher', count: 4, registeredAt: at('06-05T11:00:00'), approvedAt: at('06-05T12:00:00'), state: 'in_review' },
    { school: '420204-01', category: 'education_worker', count: 2, registeredAt: at('06-05T11:00:00'), approvedAt: at('06-05T12:00:00'), state: 'reviewed' },
    { school: '420102-01', category: 'teacher', count: 1, registeredAt: at('06-05T11:00:00'), state: 'pending_approval' },
  ]);
  const conn = orm.em.fork().getConnection();
  const voter = await makeAccount(orm, 'voter');
  // [school, day, which of the school's entrants]
  const votes: [string, string, number][] = [['420281-01', '2017-06-10', 0], ['420281-01', '2017-06-10', 1], ['420204-01', '2017-06-11', 0], ['420102-01', '2017-06-10', 0]];
  for (const [i, [school, day, nth]] of votes.entries()) {
    await conn.execute(
      `insert into vote (id, campaign_id, entrant_id, account_id, ip, day, policy, at)
       select gen_random_uuid(), ?, e.id, ?, ?::inet, ?::date, 'ip_and_account', ?::timestamptz
         from entrant e join school s on s.id = e.school_id where e.campaign_id = ? and s.code = ? order by e.id offset ? limit 1`,
      [campaignId, voter.id, `10.0.0.${i + 1}`, day, `${day}T10:00:00+08:00`, campaignId, school, nth],
    );
  }
  return campaignId;
}
