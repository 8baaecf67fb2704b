// The forms staff fill in, which open as dialogs or drawers over a console page: the page and the
// data-test of the button that opens each. a11y.test.ts runs axe on each open, keyboard.test.ts
// looks in each for what Tab cannot reach.
export const FORM_DIALOGS: [path: string, opener: string][] = [
  ['/console/users', 'users-add'],
  ['/console/users', 'users-import'],
  ['/console/questions', 'questions-add'],
  ['/console/questions', 'questions-import'],
  ['/console/orgs', 'org-add'],
  ['/console/study', 'sa-add'],
  ['/console/contests', 'contest-new'],
  ['/console/campaign', 'activity-add'],
]

/** The dialog or drawer on top (the one just opened). */
export const OPEN_DIALOG = '.el-dialog:visible, .el-drawer:visible'
