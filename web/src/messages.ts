// Every piece of UI text, in one place (DESIGN principle 7). Grouped by screen.
export const msg = {
  app: { name: '学测', slogan: '党员学习与知识测试平台', org: '省工业和信息化厅' },
  common: {
    loading: '加载中…', empty: '暂无数据', retry: '重试', save: '保存', saving: '保存中…', saved: '已保存', cancel: '取消', confirm: '确定',
    create: '新建', edit: '编辑', delete: '删除', search: '搜索', reset: '重置', back: '返回', close: '关闭', more: '更多',
    yes: '是', no: '否', actions: '操作', networkError: '网络异常，请检查网络后重试', serverError: '服务器开小差了，请稍后重试',
    total: (n: number) => `共 ${n} 条`, download: '下载', upload: '上传', all: '全部', enabled: '启用', disabled: '停用', offline: '离线',
  },
  roles: { admin: '管理员', secretary: '支部书记', member: '党员' } as Record<string, string>,
  orgKinds: { department: '机关/部门', branch: '党支部', unit: '直属单位', agency: '派出机构' } as Record<string, string>,
  login: {
    title: '登录', username: '用户名', usernamePh: '工号或手机号', password: '密码', passwordPh: '请输入密码', submit: '登 录',
    required: '请输入用户名和密码', expired: '登录已过期，请重新登录', demoHint: '演示账号见 README（如 admin / Admin@2026，dy0001 / Demo@2026）',
  },
  password: {
    title: '修改密码', forcedTip: '首次登录，请先设置新密码', current: '当前密码', next: '新密码', repeat: '确认新密码',
    rule: '至少 8 位，须同时包含字母和数字', mismatch: '两次输入的新密码不一致', done: '密码已修改', submit: '确认修改',
  },
  member: {
    tabs: { home: '首页', study: '学习', exams: '考试', rank: '排行', me: '我的' },
    greeting: (name: string) => `${name}，您好`,
    todayPoints: '今日积分', totalPoints: '总积分', streak: '连续学习', days: '天',
    myExams: '我的考试', noExams: '暂无考试', studyComing: '学习资料与每日答题',
    me: { org: '所在组织', role: '角色', console: '进入管理后台', password: '修改密码', logout: '退出登录', logoutConfirm: '确定退出登录吗？' },
  },
  console: {
    title: '学测管理后台',
    nav: { orgs: '组织', users: '用户', questions: '题库', exams: '考试', monitor: '监控', stats: '统计' },
    toMember: '党员端', logout: '退出',
  },
  orgs: {
    title: '组织管理', add: '新建组织', addChild: '添加下级', rename: '改名', move: '移动', disable: '停用', enable: '启用',
    name: '组织名称', kind: '类型', parent: '上级组织', members: '人数', status: '状态', topLevel: '（顶级组织）',
    moveTo: '移动到', created: '组织已创建', updated: '组织已更新', disableConfirm: (n: string) => `停用“${n}”？人员与历史记录会保留。`,
  },
  users: {
    title: '用户管理', add: '新建用户', import: '批量导入', template: '下载模板', searchPh: '姓名或用户名', org: '组织', role: '角色', status: '状态',
    username: '用户名', name: '姓名', password: '初始密码', mustChange: '首次登录须改密码', resetPassword: '重置密码', disable: '停用', enable: '启用',
    created: '用户已创建', updated: '已更新', resetDone: '密码已重置，对方下次登录须修改',
    importTitle: '批量导入人员', importStep1: '选择文件（.xlsx / .csv）', importStep2: '预检结果', importStep3: '完成',
    importHint: '列：用户名、姓名、组织、角色、初始密码。先预检，无误后再导入。', uploading: '上传中', checking: '正在预检…',
    dryRunOk: (c: number, u: number) => `预检通过：将新建 ${c} 人，更新 ${u} 人`,
    dryRunBad: (n: number) => `发现 ${n} 行有问题，请修改后重新上传，或跳过这些行导入`,
    doImport: '确认导入', skipAndImport: '跳过错误行并导入', imported: (c: number, u: number) => `导入完成：新建 ${c} 人，更新 ${u} 人`,
    row: '行号', problem: '问题', action: '操作', willCreate: '新建', willUpdate: '更新', chooseFile: '选择文件', reupload: '重新选择',
  },
  placeholders: { soon: '该功能正在建设中' },
  // ── 题库 (question bank console) ──
  questions: {
    title: '题库',
  },
  // ── end 题库 ──
}
