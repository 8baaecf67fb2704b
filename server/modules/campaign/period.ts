// Periods of the ledger. A day (YYYY-MM-DD) is a Shanghai calendar day and `to` includes it; an
// instant is taken as given and `to` excludes it. Bad dates are 400/422 naming the field.
import { unprocessable, validationError } from '../../lib/errors.js'
import { dayjs, ZONE } from '../../lib/time.js'

const DAY = /^\d{4}-\d{2}-\d{2}$/

function instant(value: string, field: 'from' | 'to'): Date {
  if (DAY.test(value)) {
    const d = dayjs.tz(value, ZONE)
    if (!d.isValid() || d.format('YYYY-MM-DD') !== value) throw validationError(`日期无效：${value}`, [{ field, message: '日期无效' }])
    return (field === 'to' ? d.add(1, 'day') : d).toDate()
  }
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) throw validationError(`时间无效：${value}`, [{ field, message: '时间无效' }])
  return d
}

export interface Period {
  from?: Date
  to?: Date
}

export function parsePeriod(from?: string, to?: string): Period {
  const period: Period = { from: from ? instant(from, 'from') : undefined, to: to ? instant(to, 'to') : undefined }
  if (period.from && period.to && period.from.getTime() > period.to.getTime()) {
    throw unprocessable('开始日期不能晚于结束日期', [{ field: 'from', message: '不能晚于结束日期' }])
  }
  return period
}
