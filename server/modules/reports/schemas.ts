import { Type, type Static } from '@sinclair/typebox'

export const ReportQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date', description: '开始日期（含），默认本月第一天' })),
  to: Type.Optional(Type.String({ format: 'date', description: '结束日期（含），默认本月最后一天' })),
  orgId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647, description: '默认为本人管理范围的根组织' })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('xlsx')])),
})

const FigureProps = {
  members: Type.Integer({ description: '党员数' }),
  learners: Type.Integer({ description: '学习人数' }),
  learnerDays: Type.Integer({ description: '学习人次（人·天）' }),
  points: Type.Integer({ description: '学习积分合计' }),
  perCapita: Type.Number({ description: '人均积分' }),
  studyHours: Type.Number({ description: '学习时长（小时）' }),
  practiceAnswers: Type.Integer({ description: '答题人次' }),
  exams: Type.Integer({ description: '考试场次' }),
  attempts: Type.Integer({ description: '参考人次' }),
  takers: Type.Integer({ description: '参考人数（开始作答的人，含仍在作答的）' }),
  finishers: Type.Integer({ description: '交卷人数：及格率的分母，与考试成绩页一致' }),
  passers: Type.Integer({ description: '及格人数' }),
  avgScore: Type.Union([Type.Number(), Type.Null()], { description: '平均分（每人每场最好成绩的平均）' }),
}

export const ReportBody = Type.Object({
  org: Type.Object({ id: Type.Integer(), name: Type.String() }),
  from: Type.String(),
  to: Type.String(),
  rows: Type.Array(
    Type.Object({
      orgId: Type.Integer(),
      name: Type.String(),
      own: Type.Boolean({ description: '本级（该组织直属人员）' }),
      ...FigureProps,
    }),
  ),
  total: Type.Object(FigureProps),
  exams: Type.Array(
    Type.Object({
      examId: Type.Integer(),
      title: Type.String(),
      date: Type.String(),
      invited: Type.Integer(),
      takers: Type.Integer(),
      submitted: Type.Integer(),
      passers: Type.Integer(),
    }),
  ),
})

// Types of the shapes above, for services and (type-only) for the web app.
export type ReportFilter = Static<typeof ReportQuery>
export type ParticipationReport = Static<typeof ReportBody>
