// notifications: the notification centre (a person's own list, unread badge, live push) and the
// job that sends exam notices. Other modules send theirs with `notify(tx, emit, userIds, …)` inside
// their own transaction; a person gets each cause once.
export { notificationRoutes } from './routes.js'
export { registerNotificationEvents } from './events.js'
export { notify, type NewNotification } from './service.js'
export { runNotificationJob, startNotificationJob } from './scheduler.js'
export { NOTIFICATION_KINDS, KIND_WORK, workOf, type NotificationKind } from './schemas.js'
export { claimFanout } from './queries.js'
