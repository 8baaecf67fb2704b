// Request and response shapes of the 通报 of organised work (routes under /api/bulletins).
import { Type, type Static } from '@sinclair/typebox'
import { Text } from '../../lib/schemas.js'

export const PeriodKindSchema = Type.Union([Type.Literal('week'), Type.Literal('month')], {
  description: 'week：上一个完整的周（周一至周日）；month：上一个完整的月（北京时间）',
})

export const RunBody = Type.Object(
  {
    period: PeriodKindSchema,
    threshold: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100_000,
        description:
          '学习积分分段线（分）。通报中的学习积分只以分段人数出现：0 分、1 至 threshold−1 分、threshold 至 2×threshold−1 分、' +
          '2×threshold 分及以上，并给出低于此线的人数；只有合规设置开启“书记可见个人积分名单”时，附件才另列低于此线者的名单' +
          '（每次写入审计日志）。不填用模板中的默认值（周 10 分、月 40 分，可在模板中修改）。',
      }),
    ),
  },
  { additionalProperties: false },
)
export type RunBody = Static<typeof RunBody>

export const RunResult = Type.Object({
  sent: Type.Integer({ description: '本次新发出的通报数（已收到同一期间通报的人不再重复发送）' }),
  period: PeriodKindSchema,
  periodStart: Type.String({ format: 'date' }),
  periodEnd: Type.String({ format: 'date', description: '期间的最后一天' }),
})

export const CircularItem = Type.Object({
  id: Type.Integer(),
  period: PeriodKindSchema,
  periodStart: Type.String({ format: 'date' }),
  periodEnd: Type.String({ format: 'date', description: '期间的最后一天' }),
  label: Type.String({ description: '如“2026年11月30日至12月6日”' }),
  orgName: Type.String(),
  title: Type.String(),
  body: Type.String(),
  includesList: Type.Boolean({ description: '附件是否含个人学习积分名单（仅合规设置开启时）' }),
  createdAt: Type.String(),
})
export type CircularItem = Static<typeof CircularItem>

export const TemplateInput = Type.Object(
  {
    title: Text(200),
    body: Text(4000),
    weekThreshold: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    monthThreshold: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  },
  { additionalProperties: false },
)
export type TemplateInput = Static<typeof TemplateInput>

export const TemplateBody = Type.Object({
  title: Type.String(),
  body: Type.String(),
  weekThreshold: Type.Integer(),
  monthThreshold: Type.Integer(),
  custom: Type.Boolean({ description: 'false：尚未修改，使用系统默认模板' }),
  placeholders: Type.Array(Type.Object({ name: Type.String(), description: Type.String() })),
})
export type TemplateBody = Static<typeof TemplateBody>
