// The one error a sheet reader throws for a file it will not read. Routes map it to HTTP 400.
// It crosses the worker boundary as its message only, and is rebuilt on the main thread.

/** The file as a whole cannot be read (wrong type, corrupt, too big, beyond a limit). */
export class FileFormatError extends Error {
  readonly code = 'FILE_FORMAT'
  constructor(message: string) {
    super(message)
    this.name = 'FileFormatError'
  }
}

/**
 * What a row's message says of a cell holding a formula error (#REF!, #N/A …): the spreadsheet shows
 * the code, and the person fixes it by typing the value in.
 */
export const formulaErrorText = (code: string) => `这一格的公式出错了（显示 ${code}），请直接填写内容`
