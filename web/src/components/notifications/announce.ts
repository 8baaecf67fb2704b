// The banner that says what just arrived. Loaded when the first notification comes in (vant's
// notify brings the popup machinery, which the member home does not otherwise need at start).
import { closeNotify, showNotify } from 'vant'
import { msg } from '@/messages'

/**
 * The banner lies over the page header (and the bell in it) for a few seconds, so tapping it is what
 * a person does next: it opens the list at once rather than leaving them to wait for it to go.
 */
export function announce(title: string, open: () => void) {
  showNotify({
    type: 'primary',
    message: `${title}${msg.member.notificationTapToOpen}`,
    duration: 4000,
    background: '#c8161d',
    className: 'notification-banner',
    onClick: () => {
      closeNotify()
      open()
    },
  })
}
