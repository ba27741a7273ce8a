// zh-CN first, in the notice's own words (我要报名, 资格审核, 网络投票, 学生助力, 市州推优,
// 专家评审, 公示); English as the second language. The choice is kept in localStorage.
const zh = {
  brand: '网络学习空间交流展示活动',
  skip: '跳到正文',
  loading: '加载中…',
  footer: '湖北省中小学师生“网络学习空间”应用交流展示活动',
  campaign: '活动',
  error: '出错了',
  forbidden: '此页面不属于您的账号角色。',
  login: '登录', logout: '退出登录', signup: '注册账号',
  all: '全部', cancel: '取消', filter: '筛选', actions: '操作', when: '时间', who: '操作人', why: '理由', state: '状态',
  name: '姓名', subject: '学科', stage: '学段', category: '身份', school: '学校', city: '市州', county: '县市区', platform: '空间所在平台',
  space: '空间地址', registeredAt: '报名时间', recommended: '市州推优', newWindow: '（在新窗口打开）',
  prev: '上一页', next: '下一页', pager: '分页', pageOf: '第 {page} / {pages} 页',
  username: '用户名', password: '密码', displayName: '姓名（显示名）', email: '电子邮箱',
  'nav.home': '首页', 'nav.showcase': '空间展示', 'nav.rankings': '排行榜', 'nav.portal': '我的报名', 'nav.school': '资格审核',
  'nav.city': '市州推优', 'nav.province': '省组委会', 'nav.report': '报名情况通报', 'nav.expert': '专家评审', 'nav.audit': '审计',
  'role.teacher': '教师', 'role.student': '学生', 'role.education_worker': '相关教育工作者', 'role.voter': '投票用户',
  'role.school_admin': '学校管理员', 'role.county_admin': '县市区管理员', 'role.city_admin': '市州管理员', 'role.province_admin': '省组委会',
  'role.expert': '评审专家', 'role.auditor': '审计员', 'role.system': '系统',
  'category.teacher': '教师', 'category.student': '学生', 'category.education_worker': '相关教育工作者',
  'stage.primary': '小学', 'stage.junior': '初中', 'stage.senior': '高中',
  'state.submitted': '已提交', 'state.pending_approval': '待审核', 'state.rejected': '审核未通过', 'state.approved': '审核通过',
  'state.awaiting_selection': '待遴选', 'state.in_review': '专家评审中', 'state.reviewed': '评审完成', 'state.published': '公示中',
  'state.awarded': '获奖', 'state.not_awarded': '未获奖', 'state.expired': '逾期未通过审核', 'state.not_selected': '未入选评审',
  'state.withdrawn': '已退出', 'state.disqualified': '取消资格',
  'window.teacher.registration': '教师报名', 'window.student.registration': '学生报名', 'window.teacher.voting': '教师投票',
  'window.student.voting': '学生投票', 'window.nomination': '市州推荐评审专家', 'window.recommendation': '市州推优', 'window.review': '专家评审',
  'phase.upcoming': '未开始', 'phase.open': '进行中', 'phase.closed': '已截止',
  'countdown.days': '{d}天', 'countdown.passed': '已到时间',
  'home.none': '目前还没有活动。', 'home.now': '当前阶段', 'home.noneOpen': '当前没有进行中的环节。', 'home.until': '至 {at}',
  'home.nextClose': '距「{label}」截止还有', 'home.nextOpen': '距「{label}」开始还有', 'home.allDone': '所有环节均已结束。',
  'home.register': '我要报名', 'home.vote': '网络投票', 'home.timeline': '活动日程', 'home.window': '环节', 'home.opens': '开始', 'home.closes': '截止',
  'home.phase': '状态', 'home.tz': '所有时间均为北京时间。', 'home.flow': '活动流程',
  'flow.register': '网络报名（我要报名）', 'flow.approve': '资格审核：学校管理员确认真实身份', 'flow.vote': '网络投票与学生助力',
  'flow.recommend': '市州推优', 'flow.review': '专家评审：三位专家市州交叉评审，取平均分', 'flow.notice': '结果公示', 'flow.award': '颁奖典礼',
  'showcase.search': '搜索', 'showcase.q': '姓名或学科', 'showcase.qHint': '如：王老师、数学', 'showcase.count': '共 {n} 个空间',
  'showcase.empty': '没有符合条件的空间。',
  'space.visit': '访问空间',
  'vote.title': '网络投票', 'vote.button': '点赞投票', 'vote.count': '得票：', 'vote.thanks': '投票成功，感谢您的支持！',
  'vote.already': '您今天已经为TA投过票了，明天再来吧。', 'vote.closed': '投票已截止，截止后的投票不计入成绩。',
  'vote.nextAt': '下次可投时间：{at}。', 'vote.notOpen': '投票尚未开始。', 'vote.notApproved': '该参赛者尚未通过审核或已不在投票阶段，不能投票。',
  'boost.by': '{name} 的助力视频', 'boost.mine.pending': '您的助力视频已上传，等待学校审核。', 'boost.mine.rejected': '您的助力视频未通过审核：{reason}。可重新上传。',
  'vote.loginFirst': '请先登录再投票。', 'vote.rule': '每个IP地址、每个账号每天只能为同一名参赛者投票1次。', 'vote.receipt': '投票凭证：{id}',
  'boost.title': '学生助力', 'boost.what': '学生可为喜爱的老师上传体现学习成果或才艺的视频，为老师的排名助力。',
  'boost.loginFirst': '学生请先登录再助力', 'boost.studentsOnly': '只有学生账号可以助力。', 'boost.video': '助力视频',
  'boost.hint': '视频文件（mp4 等），上传后由老师所在学校审核。', 'boost.submit': '上传助力视频', 'boost.pick': '请选择一个视频文件。',
  'boost.progress': '上传进度', 'boost.uploading': '正在上传… {p}%', 'boost.done': '上传完成，等待学校审核。', 'boost.accepted': '已通过的助力 {n} 个',
  'rank.title': '排行榜', 'rank.rank': '名次', 'rank.votes': '票数', 'rank.boosts': '助力', 'rank.score': '得分',
  'rank.rule': '系统根据网络投票、学生助力情况自动排名：得分 = 票数 + {w} × 已通过的助力数。', 'rank.empty': '暂无排名。',
  'login.wrong': '用户名或密码错误。', 'login.needed': '请先登录。', 'login.noAccount': '还没有账号？',
  'signup.role': '我是', 'signup.usernameHint': '3–64 位字母、数字或 _ . @ -', 'signup.emailHint': '选填：用于接收审核结果等通知',
  'signup.passwordHint': '至少 10 个字符', 'signup.have': '已有账号？',
  'portal.notEntrant': '只有教师、学生和相关教育工作者账号可以报名。', 'portal.none': '您还没有报名。',
  'portal.regCloses': '报名截止', 'portal.voteCloses': '投票截止', 'portal.rejectedBecause': '审核未通过，理由：{reason}',
  'portal.recording': '报名正在登记中，请稍后刷新。', 'portal.decisions': '审核与处理记录', 'portal.noDecisions': '暂无记录。',
  'portal.change': '变化', 'portal.resubmit': '修改并重新提交', 'portal.submitAgain': '重新提交审核', 'portal.whatChanged': '修改说明（选填）',
  'portal.resubmitted': '已重新提交，等待学校审核。', 'portal.withdraw': '退出活动', 'portal.withdrawConfirm': '确认退出',
  'portal.withdrawEffect': '「{name}」将退出本次活动：不再参加投票、推优和评审，退出后不能撤销。', 'portal.withdrawWhy': '退出理由（选填）',
  'portal.withdrawn': '已退出活动。',
  'register.flow': '选择报名者身份 → 填写相关信息 → 提交 → 学校管理员审核通过后完成报名。',
  'register.identity': '报名者身份', 'register.pickSchool': '请选择学校', 'register.defaultPlatform': '湖北省教育资源公共服务平台',
  'register.creds': '其他平台的浏览账号（选填）', 'register.credsWhy': '空间不在省平台时，请提供一个仅有浏览权限的账号，只向分配给您的评审专家显示。',
  'register.credsKept': '已保存浏览账号；填写新的账号密码将替换它。', 'register.credUser': '浏览账号', 'register.credPass': '浏览密码',
  'register.submit': '提交报名', 'register.done': '报名已提交，等待学校管理员审核。',
  'mail.title': '邮件通知', 'mail.reminders': '接收报名截止等提醒邮件', 'mail.essential': '审核结果、评审任务、获奖等与您有关的决定总会发送邮件。',
  'mail.on': '已开启提醒邮件。', 'mail.off': '已关闭提醒邮件。',
  'school.what': '确认参赛教师、学生的真实身份，审核通过或驳回（驳回需说明理由，参赛者可在报名截止前修改后重新提交）。',
  'school.count': '共 {n} 条', 'school.empty': '没有待处理的报名。', 'school.approve': '审核通过', 'school.reject': '驳回',
  'school.approveWho': '审核通过 {name}', 'school.rejectWho': '驳回 {name}', 'school.approved': '已通过 {name} 的报名。',
  'school.rejected': '已驳回 {name} 的报名。', 'school.reason': '驳回理由', 'school.reasonHint': '参赛者会看到这条理由。', 'school.confirmReject': '确认驳回',
  'school.boosts': '学生助力审核', 'school.boost.none': '没有待审核的助力视频。', 'school.boost.accept': '通过', 'school.boost.reject': '不通过',
  'school.boost.accepted': '助力已通过，计入老师排名。', 'school.boost.rejected': '助力未通过。', 'school.boost.teacher': '老师', 'school.boost.student': '学生',
  'school.boost.reasonFor': '不通过 {name} 的助力的理由',
  'boostState.pending': '待审核', 'boostState.accepted': '已通过', 'boostState.rejected': '未通过',
  'report.options': '报表条件', 'report.asOf': '统计截至（当日24时）', 'report.compareTo': '对比日期', 'report.compareHint': '选填：显示两日之间的增加',
  'report.by': '统计单位', 'report.byChild': '下一级地区', 'report.bySchool': '学校', 'report.show': '生成报表',
  'report.asOfDay': '截至 {day}', 'report.since': '与 {day} 对比', 'report.chart': '图表', 'report.table': '明细',
  'report.chartAlt': '{region}各单位报名人数条形图（{n} 个单位）', 'report.wholeProvince': '全省', 'report.wholeCity': '全市（州）',
  'report.teachers': '教师', 'report.students': '学生', 'report.registered': '报名', 'report.approved': '审核通过', 'report.change': '增加',
  'report.target': '目标数', 'report.progress': '完成率', 'report.platformSpaces': '平台教师空间数', 'report.platformProgress': '占平台空间',
  'report.total': '合计', 'report.unit.city': '市州', 'report.unit.county': '县市区', 'report.unit.school': '学校',
  'report.export.csv': '导出 CSV', 'report.export.xlsx': '导出 Excel', 'report.export.svg': '下载图表（SVG）',
  'series.teachers.registered': '教师报名', 'series.students.registered': '学生报名', 'series.teachers.change': '教师报名增加',
  'city.what': '按市州推优名额线上推荐教师空间、学生空间直接进入省级专家评审；推优尽量兼顾各学段。',
  'city.group': '类别', 'city.group.teacher': '教师空间', 'city.group.student': '学生空间',
  'city.quotaUse': '已推荐 {used} / 名额 {limit}，剩余 {remaining}', 'city.stageMix': '学段分布：',
  'city.stageMissing': '尚未推荐{stage}学段：本市州有审核通过的{stage}参赛者（尽量兼顾各学段）。',
  'city.candidates': '可推荐的空间（审核通过）', 'city.noCandidates': '没有符合条件的空间。', 'city.recommend': '推优',
  'city.recommendWho': '推优 {name}', 'city.recommended': '已推荐 {name}。', 'city.quotaFull': '推优名额已用完（{used}/{limit}），不能再推荐。',
  'city.none': '尚未推荐。', 'city.withdraw': '撤回推优', 'city.withdrawWho': '撤回推优 {name}', 'city.pending': '登记中',
  'city.withdrawEffect': '撤回对「{name}」的推优，名额将释放，可推荐其他空间。', 'city.withdrawn': '已撤回对 {name} 的推优。',
  'city.released': '已退出，名额已释放',
  'flags.title': '疑似刷票', 'flags.none': '没有待处理的刷票疑点。', 'flags.kind': '类型', 'flags.window': '时间段', 'flags.evidence': '证据',
  'flags.kind.ip_subnet': '同一网段集中投票', 'flags.kind.account_cohort': '同批注册账号集中投票', 'flags.kind.fresh_accounts': '新注册账号集中投票', 'flags.kind.regular_intervals': '机器节奏投票',
  'flags.confirm': '确认刷票并取消资格', 'flags.dismiss': '排除疑点', 'flags.confirmed': '已确认刷票，{name} 已取消资格。', 'flags.dismissed': '已排除对 {name} 的刷票疑点。',
  'flags.confirmEffect': '确认后「{name}」将被取消参评资格（不可撤销），该疑点及证据记入其审核记录。', 'flags.dismissEffect': '排除后该疑点关闭，「{name}」的投票照常计入。',
  'flags.state.confirmed': '已确认', 'flags.state.dismissed': '已排除', 'flags.state.open': '待处理',
  'evidence.votes': '涉及票数', 'evidence.entrantVotesInWindow': '该时段总票数', 'evidence.share': '占比', 'evidence.subnet': '网段', 'evidence.distinctIps': '不同IP数',
  'evidence.medianAccountAgeMinutes': '账号年龄中位数（分钟）', 'evidence.meanIntervalSeconds': '平均间隔（秒）', 'evidence.coefficientOfVariation': '间隔变异系数',
  'evidence.sampleIps': 'IP 样本', 'evidence.sampleAccounts': '账号样本', 'evidence.sampleIntervalsSeconds': '间隔样本（秒）', 'evidence.thresholds': '判定阈值',
  'evidence.window': '时间窗口', 'evidence.accountsCreated': '账号注册时间',
  'nomination.nominated': '已推荐', 'nomination.selected': '已遴选', 'nomination.rejected': '未遴选', 'nomination.invited': '已邀请', 'nomination.active': '已激活',
  'nomination.declined': '已谢绝', 'nomination.expired': '邀请已过期',
  'nominations.toSelect': '遴选省级评审专家', 'nominations.noneToSelect': '没有待遴选的专家。', 'nominations.title': '职称', 'nominations.stages': '熟悉学段',
  'nominations.criteria': '推荐标准', 'nominations.select': '遴选', 'nominations.reject': '不遴选', 'nominations.selected': '已遴选 {name}，邀请邮件将发出。',
  'nominations.rejected': '未遴选 {name}，名额退回市州。', 'nominations.selectEffect': '遴选「{name}」为省级评审专家：系统将向 {email} 发送一次性激活链接。',
  'nominations.rejectEffect': '不遴选「{name}」：{city}的推荐名额将退回。',
  'pool.title': '专家库', 'pool.selected': '已遴选', 'pool.invited': '已邀请', 'pool.active': '已激活', 'pool.empty': '专家库为空。', 'pool.expires': '（邀请 {at} 过期）',
  'nominate.title': '推荐省级评审专家', 'nominate.quota': '已推荐 {used} / 名额 {limit}，剩余 {remaining}', 'nominate.none': '尚未推荐专家。',
  'nominate.new': '推荐一位专家', 'nominate.titleHint': '应拥有高级职称', 'nominate.speciality': '研究方向', 'nominate.experience': '信息化教学实践经历',
  'nominate.submit': '提交推荐', 'nominate.done': '已推荐 {name}。', 'nominate.full': '专家推荐名额已用完（{used}/{limit}）。',
  'criterion.dedication': '忠诚党的教育事业，有良好的敬业精神和职业道德', 'criterion.seniorTitle': '拥有高级职称，具有较高的学术水平',
  'criterion.informatisationResearch': '对教育信息化有较深的研究', 'criterion.teachingPractice': '具有较丰富的信息化教学实践经验', 'criterion.fitness': '身体健康，能胜任评审工作',
  'review.title': '评审分配', 'review.lastRun': '最近一次分配：{at}，{kind}，随机种子 {seed}，{state}。', 'review.report': '分配报告', 'review.noRun': '尚未分配。',
  'review.redraw': '重新分配', 'review.redrawEffect': '按记录的规则重新随机分配（市州交叉、负载均衡），新的种子将记录在案。', 'review.redrawn': '已重新分配。',
  'review.experts': '评审专家（市州）· 分数', 'review.replaced': '已替换', 'review.noSpaces': '尚无进入评审的空间。', 'review.discrepancies': '评分差异过大',
  'review.totals': '各专家总分', 'review.spread': '差值', 'review.fourth': '增派第四位专家', 'review.fourthEffect': '为「{name}」再随机增派一位专家；最终成绩将去掉离中位数最远的分数后取平均。',
  'review.fourthOrdered': '已为 {name} 增派专家。',
  'expert.progress': '已评 {done} / 共 {n} 个空间', 'expert.deadline': '距评审截止还有', 'expert.none': '暂无分配给您的空间。',
  'expert.rules': '遵循回避原则（市州交叉），三位专家评审一个空间，取平均分作为最终成绩。市州推优且排名前列的空间可酌情加 1–5 分，市州推优但未进入排名前列的减 5–1 分，其余不加减分。',
  'expert.scored': '已评分 {total}', 'expert.unscored': '未评分', 'expert.creds': '浏览账号', 'expert.due': '评分截止', 'expert.locked': '已锁定',
  'expert.final': '您的评分：{total}', 'expert.sheet': '为 {name} 评分', 'expert.sheetTitle': '评分表（满分 {max}）',
  'expert.adjustment': '评审加分减分（{min} 至 {max}）', 'expert.total': '总分：', 'expert.submit': '提交评分', 'expert.update': '修改评分',
  'expert.adj.none': '非市州推优空间，不加减分。', 'expert.adj.bonus': '市州推优且排名前列：酌情加 1–5 分。', 'expert.adj.penalty': '市州推优但未进入排名前列：减 5–1 分。',
  'expert.saved': '评分已保存，总分 {total}。', 'expert.conflict': '申请回避', 'expert.decline': '放弃评审此空间',
  'expert.conflictEffect': '声明与「{name}」存在利益冲突：将另行随机分配一位专家。', 'expert.declineEffect': '放弃评审「{name}」：将另行随机分配一位专家。',
  'expert.steppedDown': '已退出对 {name} 的评审，将另派专家。',
  'activate.title': '激活评审专家账号', 'activate.what': '您已被遴选为省级评审专家。请设置密码以激活账号（链接仅能使用一次）。',
  'activate.again': '再次输入密码', 'activate.mismatch': '两次输入的密码不一致。', 'activate.submit': '激活账号', 'activate.done': '账号已激活，用户名：{username}。',
  'activate.decline': '谢绝邀请', 'activate.declineEffect': '谢绝后名额将退回推荐您的市州，此链接失效。', 'activate.declined': '已谢绝邀请。', 'activate.noToken': '链接不完整：缺少激活码。',
  'audit.find': '查找参赛者', 'audit.query': '参赛者姓名或编号', 'audit.results': '查找结果', 'audit.timeline': '全过程记录', 'audit.what': '事件',
  'audit.replay': '重放核验', 'audit.replaying': '正在用当前代码重放历史…', 'audit.match': '核验一致：{events} 个事件全部按当前代码重放通过。',
  'audit.diverge': '核验不一致：第 {event} 个事件处出现分歧。{message}', 'audit.export': '导出历史（JSON）',
  'audit.kind.started': '开始', 'audit.kind.decision': '决定', 'audit.kind.message': '通知', 'audit.kind.deadline': '到期', 'audit.kind.refused': '被拒绝',
  'audit.kind.completed': '结束', 'audit.kind.failed': '失败',
  'phase.control': '阶段控制', 'phase.advance': '提前', 'phase.openNow': '立即开始', 'phase.closeNow': '立即截止', 'phase.extend': '延期',
  'phase.effectOpen': '「{label}」将立即开始（原定 {at} 开始）。', 'phase.effectClose': '「{label}」将立即截止（原定 {at} 截止）。',
  'phase.effectExtend': '「{label}」的截止时间将从 {from} 改为 {to}。', 'phase.effectReopen': '该环节已截止，勾选“重新开放”后将重新开放。',
  'phase.consequence.teacher.registration': '截止后教师不能再报名；尚未通过审核的教师报名将逾期失效。',
  'phase.consequence.student.registration': '截止后学生不能再报名；尚未通过审核的学生报名将逾期失效。',
  'phase.consequence.teacher.voting': '截止后的投票不计入成绩；将进入评审遴选。',
  'phase.consequence.student.voting': '截止后的投票不计入成绩；将进入评审遴选。',
  'phase.consequence.recommendation': '截止后市州不能再推优或撤回推优。',
  'phase.consequence.nomination': '截止后市州不能再推荐评审专家。',
  'phase.consequence.review': '截止后专家不能再提交评分；未完成的评审将被替换。',
  'phase.reason': '理由', 'phase.reasonHint': '记录在案，所有人可查。', 'phase.reasonRequired': '请填写理由。',
  'phase.newDeadline': '新的截止时间', 'phase.tzHint': '北京时间', 'phase.reopen': '重新开放已截止的环节',
  'phase.confirmAdvance': '确认提前', 'phase.confirmExtend': '确认延期', 'phase.done': '「{label}」已更新。',
  'phase.changes': '日程变更记录', 'phase.noChanges': '暂无变更。', 'phase.kind': '变更',
  'change.advance': '提前', 'change.extend': '延期', 'change.reopen': '重新开放', 'change.timer': '到时自动', 'change.system': '系统',
  'dash.title': '活动概况', 'dash.pending': '待审核', 'dash.oldest': '最早报名', 'dash.pendingTitle': '待审核最多的学校',
  'tools.title': '运维工具', 'tools.temporal': 'Temporal 工作流界面', 'tools.queues': '邮件队列看板', 'tools.mail': '演示邮箱（邮件捕获）',
  'err.Network': '网络连接失败，请检查网络后重试。', 'err.PageNotFound': '页面不存在。', 'err.Unauthenticated': '请先登录。',
  'err.Forbidden': '没有权限进行此操作。', 'err.WindowClosed': '该环节不在开放时间内。', 'err.DeadlinePassed': '已过截止时间。',
  'err.QuotaExceeded': '已超出名额。', 'err.AlreadyVoted': '今天已经投过票了。', 'err.PayloadTooLarge': '文件太大。',
  'err.UnsupportedMediaType': '不支持的文件类型。', 'err.ServiceUnavailable': '服务暂时不可用，请稍后重试。', 'err.Internal': '服务器出错，已记录，请稍后重试。',
};

const en = {};
const DICTS = { zh, en };
let current = localStorage.getItem('lang') === 'en' ? 'en' : 'zh';

export function lang() {
  return current;
}

/** Loads the chosen language's words (English on demand), then applies it to the shell. */
export async function loadLang() {
  if (current === 'en' && !Object.keys(en).length) Object.assign(en, (await import('./i18n-en.js')).default);
  applyLang();
}

export async function setLang(l) {
  current = l === 'en' ? 'en' : 'zh';
  localStorage.setItem('lang', current);
  await loadLang();
}

/** The document's language follows the choice (screen readers pronounce accordingly). */
export function applyLang() {
  document.documentElement.lang = current === 'en' ? 'en' : 'zh-CN';
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  document.getElementById('nav')?.setAttribute('aria-label', current === 'en' ? 'Main' : '主导航');
}

export function t(key, vars) {
  let s = DICTS[current][key] ?? zh[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

export const categoryLabel = (c) => t(`category.${c}`);
export const stageLabel = (s) => t(`stage.${s}`);
export const windowLabel = (k) => t(`window.${k}`);
/** The server's Chinese label is the fallback for a state this dictionary does not know yet. */
export function stateLabel(s, serverLabel) {
  const key = `state.${s}`;
  const ours = t(key);
  return ours === key ? serverLabel ?? s : ours;
}
