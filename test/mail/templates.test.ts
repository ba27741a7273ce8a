import { formatDeadline, isEssential, MAIL_TEMPLATES, renderMail, type MailTemplate, type TemplateParams } from '../../activities/mail/templates';

const common = { name: '王小明', campaign: '2017年湖北省网络学习空间交流展示活动', link: 'https://lss.example.cn/entrants/1?a=1&b=2' };
// Registration closes Sep 15 24:00 Asia/Shanghai, i.e. 2017-09-15T16:00:00Z.
const deadline = '2017-09-15T16:00:00.000Z';

const SAMPLES: { [K in MailTemplate]: TemplateParams[K] } = {
  registration_received: { ...common, deadline },
  approved: { ...common, deadline },
  rejected: { ...common, deadline, reason: '空间地址无法访问' },
  expired: { ...common, reason: 'not approved before registration closed' },
  disqualified: { ...common, reason: '刷票' },
  pending_reminder_entrant: { ...common, deadline },
  pending_reminder_school: { ...common, deadline, school: '黄石港区第一小学', pending: 12 },
  recommended: { ...common, city: '黄石市' },
  selected: { ...common, deadline },
  not_selected: common,
  expert_nomination_received: { ...common, city: '宜昌市', deadline },
  expert_selected: { ...common, deadline },
  expert_rejected: common,
  expert_assignment: { ...common, spaces: 21, deadline },
  review_reminder: { ...common, remaining: 4, deadline },
  expert_replaced: { ...common, spaces: 3, reason: '评审截止时尚未完成评分' },
  results_published: { ...common, deadline },
  objection_filed: { ...common, about: '李老师的网络学习空间', deadline },
  objection_settled: { ...common, about: '李老师的网络学习空间', outcome: 'dismissed', reason: '评分符合评分指导表' },
  award: { ...common, award: 'first' },
};

const WITH_DEADLINE = MAIL_TEMPLATES.filter((t) => 'deadline' in SAMPLES[t]);

describe('mail templates', () => {
  test('when the templates are listed, then every mail the contest sends has one', () => {
    expect([...MAIL_TEMPLATES].sort()).toEqual(Object.keys(SAMPLES).sort());
    expect(MAIL_TEMPLATES).toHaveLength(20);
  });

  test.each(MAIL_TEMPLATES)('when %s is rendered in zh-CN, then both parts carry the name, campaign and link', (template) => {
    const mail = renderMail(template, SAMPLES[template] as never);
    expect(mail.subject).toContain(`【${common.campaign}】`);
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('王小明，您好');
      expect(part).toContain(common.campaign);
    }
    expect(mail.text).toContain(common.link);
    expect(mail.html).toContain(`href="https://lss.example.cn/entrants/1?a=1&amp;b=2"`);
    expect(mail.html).toMatch(/^<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8">/);
    // No untranslated English sentence slipped into a Chinese mail.
    expect(mail.text).not.toMatch(/Dear|Your /);
  });

  test.each(MAIL_TEMPLATES)('when %s is rendered for an English reader, then it has its English text', (template) => {
    const mail = renderMail(template, SAMPLES[template] as never, 'en');
    expect(mail.subject.startsWith(`[${common.campaign}] `)).toBe(true);
    expect(mail.text).toContain('Dear 王小明,');
    expect(mail.text).toContain(common.link);
    expect(mail.text).not.toMatch(/您|请/);
  });

  test.each(WITH_DEADLINE)('when %s has a deadline, then it is written in Asia/Shanghai time as the notice writes it', (template) => {
    const mail = renderMail(template, SAMPLES[template] as never);
    expect(mail.text).toContain('2017年9月15日 24:00（北京时间）');
    expect(mail.html).toContain('2017年9月15日 24:00（北京时间）');
  });

  test('when the decision mails are rendered, then they say what was decided and what to do', () => {
    const rejected = renderMail('rejected', SAMPLES.rejected);
    expect(rejected.subject).toBe(`【${common.campaign}】报名未通过资格审核`);
    expect(rejected.text).toContain('审核意见：空间地址无法访问');
    expect(rejected.text).toContain('在报名截止（2017年9月15日 24:00（北京时间））前重新提交');
    expect(renderMail('pending_reminder_school', SAMPLES.pending_reminder_school).subject).toContain('黄石港区第一小学有 12 份报名待审核');
    expect(renderMail('award', SAMPLES.award).text).toContain('荣获一等奖');
    expect(renderMail('expert_selected', SAMPLES.expert_selected).text).toContain('一次性激活链接');
    expect(renderMail('objection_settled', SAMPLES.objection_settled).text).toContain('异议不成立，维持原评审结果');
  });

  test('when the recipient reads English, then the English text is used, deadline included', () => {
    const mail = renderMail('approved', SAMPLES.approved, 'en-GB');
    expect(mail.subject).toBe(`[${common.campaign}] Registration approved`);
    expect(mail.text).toContain('Dear 王小明,');
    expect(mail.text).toContain('Voting closes 15 Sep 2017, 24:00 (Beijing time, UTC+8)');
    expect(mail.html).toContain('<html lang="en">');
    expect(renderMail('approved', SAMPLES.approved, 'zh-TW').text).toContain('已通过学校资格审核');
  });

  test('when a name or reason holds markup, then the HTML part escapes it and the text part keeps it', () => {
    const mail = renderMail('rejected', { ...SAMPLES.rejected, name: '<b>王</b>', reason: 'a & "b" <script>x</script>' });
    expect(mail.html).toContain('&lt;b&gt;王&lt;/b&gt;，您好：');
    expect(mail.html).toContain('a &amp; &quot;b&quot; &lt;script&gt;x&lt;/script&gt;');
    expect(mail.html).not.toContain('<script>');
    expect(mail.text).toContain('a & "b" <script>x</script>');
  });

  test('when reminders and decisions are compared, then only reminders can be turned off and say so', () => {
    expect(MAIL_TEMPLATES.filter((t) => !isEssential(t)).sort()).toEqual(['pending_reminder_entrant', 'pending_reminder_school', 'review_reminder']);
    expect(renderMail('review_reminder', SAMPLES.review_reminder).text).toContain('如不想再收到提醒');
    expect(renderMail('approved', SAMPLES.approved).text).not.toContain('如不想再收到提醒');
  });

  test('when deadlines fall off midnight or on it, then they read as wall time or as 24:00 of the day before', () => {
    expect(formatDeadline('2017-09-15T08:30:00Z')).toBe('2017年9月15日 16:30（北京时间）');
    expect(formatDeadline('2017-12-31T16:00:00Z')).toBe('2017年12月31日 24:00（北京时间）');
    expect(formatDeadline('2018-01-01T00:00:00+08:00', 'en')).toBe('31 Dec 2017, 24:00 (Beijing time, UTC+8)');
  });
});
