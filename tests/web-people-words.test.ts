// The web pages' reading of the API's validation messages (web/src/api/people-words.ts): the
// server's real answers, turned into the form's words — never "orgId" or "请求体：" on a page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { forPeople, isBadLink } from '../web/src/api/people-words.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'

let t: TestContext
let admin: string
beforeAll(async () => {
  t = await createTestContext()
  admin = await t.login(DEMO_ADMIN.username)
})
afterAll(async () => {
  await t?.close()
})

const said = (res: { body: { error: { message: string; details?: unknown } } }) => forPeople(res.body.error.message, res.body.error.details)

describe('validation messages for people', () => {
  it('names a new person’s missing fields as the form does', async () => {
    const res = await t.http().post('/api/users').set(bearer(admin)).send({ username: '', name: '' })
    expect(res.status).toBe(400)
    expect(res.body.error.message).toContain('orgId') // the API names its fields for integrations
    const text = said(res)
    expect(text).toContain('组织为必填项')
    expect(text).toContain('用户名不能为空')
    expect(text).toContain('姓名不能为空')
    expect(text).not.toMatch(/orgId|username|请求体/)
  })

  it('names a password change’s empty fields', async () => {
    const member = await t.login('dy0002')
    const res = await t.http().post('/api/auth/password').set(bearer(member)).send({ currentPassword: '', newPassword: '' })
    expect(res.status).toBe(400)
    expect(said(res)).toBe('当前密码不能为空；新密码不能为空')
  })

  it('calls a malformed link a bad link', async () => {
    const member = await t.login('dy0002')
    const res = await t.http().get('/api/exams/abc').set(bearer(member))
    expect(res.status).toBe(400)
    expect(said(res)).toBe('这个链接不完整或已失效，请从列表重新进入。')
    expect(isBadLink(res.body.error.message)).toBe(true) // the exam page's 链接有误 screen keys on this
    // A bad body or query is something to correct on the page, not a bad link.
    const body = await t.http().post('/api/users').set(bearer(admin)).send({})
    expect(isBadLink(body.body.error.message)).toBe(false)
  })

  it('leaves the server’s own sentences as they are', async () => {
    const res = await t.http().get('/api/exams/999999').set(bearer(admin))
    expect(res.status).toBe(404)
    expect(said(res)).toBe(res.body.error.message)
  })
})
