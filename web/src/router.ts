// Routes, lazy per area: the member shell (vant, phone-first) and the console (element-plus, desktop).
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useAuthStore } from '@/stores/auth'

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/views/LoginView.vue'), meta: { public: true } },
  { path: '/password', name: 'password', component: () => import('@/views/ChangePasswordView.vue') },
  // The hall projector: full screen, large type, no interaction. An exam's progress (/screen/:examId)
  // or an activity's sign-in QR (/screen?activity=<id>; /screen alone offers a choice).
  { path: '/screen/:examId?', name: 'big-screen', component: () => import('@/views/BigScreenView.vue'), meta: { staff: true } },
  // Full screen, no tab bar: nothing should pull a member out of a running exam by accident.
  { path: '/exams/:id/take', name: 'exam-take', component: () => import('@/views/member/ExamTakeView.vue') },
  // 现场竞答: the hall screen (full screen, staff) and the phone that plays (full screen, any member).
  { path: '/contest-host/:id', name: 'contest-host', component: () => import('@/views/ContestHostView.vue'), meta: { staff: true } },
  { path: '/contest', name: 'contest', component: () => import('@/views/ContestJoinView.vue') },
  {
    path: '/',
    component: () => import('@/layouts/MemberLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('@/views/member/HomeView.vue') },
      { path: 'study', name: 'study', component: () => import('@/views/member/StudyView.vue') },
      { path: 'exams', name: 'exams', component: () => import('@/views/member/ExamsView.vue') },
      { path: 'exams/:id', name: 'exam', component: () => import('@/views/member/ExamIntroView.vue') },
      { path: 'attempts/:id', name: 'attempt', component: () => import('@/views/member/AttemptView.vue') },
      { path: 'rank', name: 'rank', component: () => import('@/views/member/RankView.vue') },
      { path: 'me', name: 'me', component: () => import('@/views/member/MeView.vue') },
      { path: 'study/materials/:id', name: 'material', component: () => import('@/views/member/MaterialView.vue') },
      { path: 'study/quiz/:mode', name: 'quiz', component: () => import('@/views/member/QuizView.vue') },
      { path: 'study/challenge', name: 'challenge', component: () => import('@/views/member/ChallengeView.vue') },
      { path: 'study/wrong-book', name: 'wrong-book', component: () => import('@/views/member/WrongBookView.vue') },
      { path: 'study/battle', name: 'battle', component: () => import('@/views/member/BattleView.vue') },
      { path: 'notifications', name: 'notifications', component: () => import('@/views/member/NotificationsView.vue') },
      { path: 'points/ledger', name: 'points-ledger', component: () => import('@/views/member/PointsLedgerView.vue') },
      // 我的 → 隐私 / 投诉建议 / 账号安全 / 关于 (个人信息保护法, 国办函〔2026〕12号).
      { path: 'me/privacy', name: 'privacy', component: () => import('@/views/member/PrivacyView.vue') },
      { path: 'me/feedback', name: 'feedback', component: () => import('@/views/member/FeedbackView.vue') },
      { path: 'me/security', name: 'security', component: () => import('@/views/member/SecurityView.vue') },
      { path: 'about', name: 'about', component: () => import('@/views/member/AboutView.vue') },
      // 活动签到: the hall's QR opens /checkin?code=…
      { path: 'checkin', name: 'checkin', component: () => import('@/views/member/CheckinView.vue') },
      // 学习教育专栏 (published 简报) and the 月工作提示, with read receipts.
      { path: 'campaign/column', name: 'campaign-column', component: () => import('@/views/member/CampaignColumnView.vue') },
      // 监控 for a secretary on a phone: counters, who has not started, the top ten, per unit.
      { path: 'monitor', name: 'monitor-phone', component: () => import('@/views/member/MonitorPhoneView.vue'), meta: { staff: true } },
    ],
  },
  {
    path: '/console',
    component: () => import('@/layouts/ConsoleLayout.vue'),
    meta: { staff: true },
    children: [
      { path: '', redirect: { name: 'console-users' } },
      { path: 'orgs', name: 'console-orgs', component: () => import('@/views/console/OrgsView.vue'), meta: { admin: true } },
      { path: 'users', name: 'console-users', component: () => import('@/views/console/UsersView.vue') },
      { path: 'questions', name: 'console-questions', component: () => import('@/views/console/QuestionsView.vue'), meta: { admin: true } },
      { path: 'exams', name: 'console-exams', component: () => import('@/views/console/ExamsView.vue') },
      { path: 'exams/new', name: 'console-exam-new', component: () => import('@/views/console/ExamEditView.vue'), meta: { admin: true } },
      {
        path: 'exams/:id/edit',
        name: 'console-exam-edit',
        component: () => import('@/views/console/ExamEditView.vue'),
        meta: { admin: true },
      },
      { path: 'exams/:id/results', name: 'console-exam-results', component: () => import('@/views/console/ExamResultsView.vue') },
      { path: 'study', name: 'console-study', component: () => import('@/views/console/StudyAdminView.vue') },
      { path: 'monitor', name: 'console-monitor', component: () => import('@/views/console/MonitorView.vue') },
      { path: 'stats', name: 'console-stats', component: () => import('@/views/console/StatsView.vue') },
      { path: 'policy', name: 'console-policy', component: () => import('@/views/console/PolicyView.vue'), meta: { admin: true } },
      {
        path: 'audit',
        name: 'console-audit',
        component: () => import('@/views/console/AuditView.vue'),
        meta: { admin: true, auditor: true },
      },
      { path: 'feedback', name: 'console-feedback', component: () => import('@/views/console/FeedbackView.vue') },
      { path: 'comments', name: 'console-comments', component: () => import('@/views/console/CommentsModerationView.vue') },
      { path: 'contests', name: 'console-contests', component: () => import('@/views/console/ContestsView.vue') },
      { path: 'campaign', name: 'console-campaign', component: () => import('@/views/console/CampaignView.vue') },
      // 组织工作通报: the ones I received (a 通报 notification opens this at ?id=); admins send and edit the wording.
      { path: 'bulletins', name: 'console-bulletins', component: () => import('@/views/console/BulletinsView.vue') },
      {
        path: 'campaign/activities/:id',
        name: 'console-campaign-activity',
        component: () => import('@/views/console/CampaignActivityView.vue'),
      },
    ],
  },
  { path: '/:pathMatch(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHistory(), routes })

/** Where someone lands after login: staff on a wide screen get the console, everyone else the member shell. */
export function homeFor(role: string): string {
  if (role === 'auditor') return '/console/audit'
  if (role === 'admin') return '/console'
  if (role === 'secretary' && window.innerWidth >= 900) return '/console'
  return '/'
}

router.beforeEach((to) => {
  const auth = useAuthStore()
  if (to.meta.public) return true
  if (!auth.user) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  if (auth.user.mustChangePassword && to.name !== 'password') return { name: 'password' }
  // An auditor reads the audit log and nothing else (besides her password).
  if (auth.user.role === 'auditor')
    return to.matched.some((r) => r.meta.auditor) || to.name === 'password' ? true : { name: 'console-audit' }
  if (to.matched.some((r) => r.meta.staff) && !auth.isStaff) return '/'
  if (to.matched.some((r) => r.meta.admin) && !auth.isAdmin) return { name: 'console-users' }
  return true
})
