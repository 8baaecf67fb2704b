// PGlite is one process per data directory. A second process opening the same directory would
// silently diverge, so we hold a pid lock file and refuse to start while its owner is alive.
import fs from 'node:fs'
import path from 'node:path'

export class DataDirLockedError extends Error {}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Takes the lock (stale locks of dead processes are taken over); returns its release function. */
export function lockDataDir(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true })
  const lockFile = path.join(dir, 'xuece.lock')
  for (let tries = 0; tries < 2; tries++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' })
      let released = false
      return () => {
        if (released) return
        released = true
        fs.rmSync(lockFile, { force: true })
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const owner = Number(fs.readFileSync(lockFile, 'utf8').trim())
      if (owner && owner !== process.pid && processAlive(owner)) {
        throw new DataDirLockedError(
          `数据目录 ${dir} 正被进程 ${owner} 使用。嵌入式数据库只能由一个进程打开；` + `多节点部署请设置 DATABASE_URL 使用 PostgreSQL。`,
        )
      }
      fs.rmSync(lockFile, { force: true }) // stale: its owner is gone (e.g. kill -9)
    }
  }
  throw new DataDirLockedError(`无法锁定数据目录 ${dir}`)
}
