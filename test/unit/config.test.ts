import { loadConfig, trustProxySetting } from '../../lib/config';
import { defaultCampaignConfig } from '../../db/seed';
import { campaignConfigSchema } from '../../lib/campaign-config';
import { noticeWindows } from '../../lib/rules/schedule';

describe('configuration', () => {
  test('when nothing is set, then the embedded defaults apply in demo mode', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ APP_MODE: 'demo', PORT: 3000, TEMPORAL_ADDRESS: '127.0.0.1:7233', publicUrl: 'http://localhost:3000' });
  });

  test('when production runs without a credentials key, then start is refused with the variable named', () => {
    expect(() => loadConfig({ APP_MODE: 'production' })).toThrow(/CREDENTIALS_KEY: required in production/);
    expect(() => loadConfig({ CREDENTIALS_KEY: 'short' })).toThrow(/CREDENTIALS_KEY must be 32 bytes/);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
  });

  test('when TRUST_PROXY would trust every peer, then it is refused; a list of proxies is accepted', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/choose its IP/);
    expect(trustProxySetting('loopback, 10.0.0.5')).toEqual(['loopback', '10.0.0.5']);
    expect(trustProxySetting('false')).toBe(false);
  });

  test('when the default campaign config is built, then the SPEC quotas and a 100-point rubric are in it', () => {
    const c = defaultCampaignConfig(noticeWindows(2017));
    expect(Object.values(c.quotas).reduce((a, q) => a + q.teacher, 0)).toBe(281);
    expect(c.rubric.teacher.reduce((a, i) => a + i.max, 0)).toBe(100);
    expect(c.rubric.student.reduce((a, i) => a + i.max, 0)).toBe(100);
    expect(c.ranking.boostWeight).toBe(10);
    expect(c.noticeDays).toBe(7);
  });

  test('when a campaign config has a window that closes before it opens, then validation names it', () => {
    const c = defaultCampaignConfig(noticeWindows(2017));
    const bad = { ...c, windows: { ...c.windows, review: { opensAt: '2017-11-10T00:00:00+08:00', closesAt: '2017-10-16T00:00:00+08:00' } } };
    const r = campaignConfigSchema.safeParse(bad);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message)).toContain('review: opensAt must be before closesAt');
  });
});
