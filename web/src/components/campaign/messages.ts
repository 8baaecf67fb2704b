// UI text of the campaign ledger (五学 台账) pages, in one place.
import type { TallyType } from '@/api/campaign'

export const cm = {
  nav: '五学台账',
  types: {
    lecture: '宣讲/党课', theme_day: '主题党日', seminar: '集中研讨', tutorial: '专题辅导', screening: '视频展播', contest: '知识竞赛', other: '其他活动',
    test: '知识测试', self_study: '自学',
  } as Record<TallyType, string>,
  title: '学习教育台账', intro: '各类活动的场次、人次；知识测试、自学取自考试和积分数据，无需重复登记',
  tabs: { ledger: '活动台账', tasks: '任务清单', report: '情况报告', bulletins: '月工作提示', briefings: '简报' },
  org: '单位', orgPh: '选择单位', rangeStart: '开始日期', rangeEnd: '结束日期', rangeSep: '至', query: '查询',
  export: '导出台账（Excel）', exportName: (org: string) => `活动台账-${org}.xlsx`,
  cards: { sessions: '合计场次', attendance: '合计人次', activities: '登记活动场次', activityAttendance: '活动参加人次' },
  charts: { byType: '分类型场次 / 人次', byOrg: '各单位场次 / 人次（含下级）', byPeriod: '活动开展进度', month: '按月', week: '按周' },
  weekOf: (monday: string) => `${monday.slice(5)} 周`,
  sessions: '场次', attendance: '人次',
  list: { title: '活动列表', add: '登记活动', empty: '暂无活动。点“登记活动”记录一次宣讲、主题党日或研讨', open: '签到与人员' },
  cols: { org: '单位', type: '类型', title: '活动名称', startsAt: '时间', place: '地点', participants: '参加党员', guests: '其他人员', attendance: '人次', checkedIn: '已签到' },
  form: {
    title: '登记活动', org: '组织单位', type: '类型', name: '活动名称', namePh: '如：学党史回望来时路主题党日', startsAt: '开始时间', endsAt: '结束时间',
    place: '地点', speaker: '主讲人', summary: '内容摘要', guests: '无账号参加人数', guestsHint: '学生、离退休人员等没有账号的人', save: '保存', created: '活动已登记', updated: '活动已修改', editTitle: '修改活动', edit: '修改',
    required: '请填写单位、类型、名称和开始时间',
  },
  detail: {
    back: '返回台账', participants: '参加人员', empty: '暂无参加人员：可从花名册添加，或请大家扫码签到', add: '从花名册添加', addPh: '输入姓名搜索本组织人员', added: '已添加',
    remove: '移除', checkedIn: '已签到', notCheckedIn: '未签到', late: '迟到', delete: '删除活动', deleteConfirm: '删除后该活动不再计入台账，确定删除？', deleted: '活动已删除',
    attendance: (n: number, guests: number) => `参加 ${n} 人次（含无账号 ${guests} 人）`,
  },
  checkin: {
    show: '显示签到二维码', hide: '收起', fullscreen: '全屏投屏', exitFullscreen: '退出全屏',
    codeLabel: '签到码', scan: '请用手机扫码，或在学测“签到”页输入签到码', rotates: (s: number) => `签到码每分钟更换，${s} 秒后刷新`,
    count: (n: number) => `已签到 ${n} 人`, closed: '当前不在签到时间内（活动开始前 1 小时至结束后 30 分钟）',
  },
  member: {
    title: '活动签到', codePh: '请输入 6 位签到码', submit: '签 到', signing: '签到中…', done: '签到成功', repeated: '您已签到，无需重复签到',
    late: '已签到（迟到）', points: (n: number) => `获得 ${n} 积分`, at: (t: string) => `签到时间 ${t}`, again: '继续签到其他活动',
    invalid: '请输入 6 位数字签到码',
  },
  tasks: {
    title: '任务清单', add: '下发任务', unit: '单位', total: '任务数', empty: '暂无任务', due: '截止', orgs: '下发单位', detail: '任务内容', weeks: '按周分解',
    weekOf: '周（周一）', weekText: '本周安排', addWeek: '添加一周', status: { open: '进行中', done: '已完成', overdue: '已逾期' },
    done: '办结', doneTitle: '办结任务', note: '完成情况', activity: '关联活动（可选）', doneOk: '已办结', created: '任务已下发',
    summary: (done: number, total: number, overdue: number) => `完成 ${done}/${total}${overdue ? `，逾期 ${overdue}` : ''}`,
    required: '请填写任务名称、截止时间并选择下发单位',
  },
  report: {
    title: '情况报告', intro: '报告中的每个数字都取自台账，与统计一致；可下载 Word 后修改报送', docx: '下载 Word', docxName: (t: string) => `${t}.docx`,
    empty: '选择单位和时间段后生成报告',
  },
  editor: {
    h2: '标题', bold: '加粗', italic: '倾斜', bullets: '项目符号', numbers: '编号', quote: '引用', link: '链接', image: '图片',
    imagePrompt: '图片地址（已上传图片的地址，或 https:// 开头的网址）', linkPrompt: '链接地址', imageInvalid: '请填写 https:// 或 / 开头的地址',
  },
  bulletins: {
    tab: '月工作提示', title: '月工作提示', add: '发布工作提示', issue: (n: number) => `第${n}期`, readers: '本组织已读人数', receipts: '阅读回执',
    cols: { no: '期数', title: '标题', issuedAt: '发布时间', org: '单位', members: '人数', readers: '已读', firstRead: '最早阅读' },
    titlePh: '如：5月党史学习教育工作提示', issued: '工作提示已发布', empty: '暂无工作提示', required: '请填写标题和正文', unread: '未读', read: '已读',
  },
  briefings: {
    tab: '简报', title: '学习教育工作简报', add: '报送简报', org: '报送单位', titlePh: '如：××党支部党史学习教育工作简报（第1期）',
    status: { submitted: '待审核', published: '已刊登', returned: '已退回' }, publish: '刊登到专栏', return: '退回', returnPrompt: '退回原因',
    reads: '阅读', submitted: '简报已报送', reviewed: '已处理', empty: '暂无简报', required: '请填写单位、标题和正文',
  },
  column: { title: '学习教育专栏', tabs: { column: '专栏', bulletins: '工作提示' }, empty: '暂无文章', reads: (n: number) => `阅读 ${n}`, back: '返回' },
  loadFailed: '加载失败，请重试',
}
