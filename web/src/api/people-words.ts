// What the API's validation messages say, in the words of the page a person is looking at.
import { msg } from '../messages.js' // relative: the server's tests import this file too

/** The server names the part of the request a schema failure is in; in the path, the link itself is bad. */
export const isBadLink = (message: string) => message.startsWith('路径参数：')

/**
 * A schema failure names the API's parts and fields ("请求体：orgId 为必填项；name 不能为空"), which
 * integrations need and people do not: the page shows "组织为必填项；姓名不能为空". A malformed path
 * (a link typed or cut short) is a bad link, not something to correct.
 */
export function forPeople(message: string, details: unknown): string {
  if (isBadLink(message)) return msg.errors.badLink
  if (!/^(请求体|查询参数)：/.test(message) || !Array.isArray(details)) return message
  const issues = details as { field?: string; message?: string }[]
  return issues
    .map(({ field = '', message: m = '' }) => {
      const label = msg.fieldLabels[field.split('.').pop() ?? '']
      return label && m.startsWith(field) ? label + m.slice(field.length).trim() : m
    })
    .join('；')
}
